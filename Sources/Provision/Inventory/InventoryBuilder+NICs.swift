/// A host's `nics`: names, MACs, and the one it boots from.
extension InventoryBuilder {
    func buildNICs(_ node: SourceNode, host: String) -> [NIC]? {
        guard let items = reader.list(node, what: "'nics'") else { return nil }
        if items.isEmpty {
            reader.error("host '\(host)' has no NICs: list at least the one it boots from", at: node.location)
            return nil
        }
        var nics: [NIC] = []
        for item in items {
            guard let fields = reader.mapping(item, what: "a NIC", keys: ["name", "mac", "boot"]) else { continue }
            guard let nameNode = fields["name"], let macNode = fields["mac"] else {
                reader.error("a NIC needs 'name' (e.g. eno1) and 'mac' (e.g. 52:54:00:12:34:56)", at: item.location)
                continue
            }
            guard let name = value(nameNode, what: "a NIC's 'name'", ValueGrammar.interfaceName), let macText = reader.string(macNode, what: "'mac'") else { continue }
            guard let mac = MACAddress(macText) else {
                reader.error("'\(ValueGrammar.shown(macText))' is not a MAC address: expected six hex pairs, e.g. 52:54:00:12:34:56", at: macNode.location)
                continue
            }
            guard checkMAC(mac, node: macNode) else { continue }
            let boot = fields["boot"].flatMap { reader.bool($0, what: "'boot'") } ?? false
            if let first = nics.first(where: { $0.name == name }) {
                reader.error("NIC name '\(name)' appears twice in host '\(host)' (\(first.mac) and \(mac))", at: nameNode.location)
            }
            nics.append(NIC(name: name, mac: mac, boot: boot))
        }
        guard nics.count == items.count else { return nil }
        let bootCount = nics.filter(\.boot).count
        if bootCount > 1 {
            reader.error("host '\(host)' has \(bootCount) NICs marked 'boot: true'; mark exactly the one it netboots from", at: node.location)
            return nil
        }
        if bootCount == 0 {
            if nics.count > 1 {
                reader.error("host '\(host)' has \(nics.count) NICs and none is marked 'boot: true'; mark the one it netboots from", at: node.location)
                return nil
            }
            nics[0].boot = true
        }
        return nics
    }
}
