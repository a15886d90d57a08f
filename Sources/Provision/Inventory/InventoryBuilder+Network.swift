/// A host's `network`: its address, gateway and DNS, and the bonds, VLANs and bridges over its NICs.
extension InventoryBuilder {
    func buildNetwork(_ node: SourceNode, host: String, nics: [NIC]) -> HostNetwork? {
        let keys = ["interface", "address", "prefix", "gateway", "dns", "bonds", "vlans", "bridges"]
        guard let fields = reader.mapping(node, what: "'network'", keys: keys) else { return nil }
        guard let addressNode = fields["address"], let prefixNode = fields["prefix"] else {
            reader.error("'network' needs 'address' and 'prefix' (e.g. address: 10.20.1.11, prefix: 24)", at: fields.location)
            return nil
        }
        let address = ipv4(addressNode, what: "'address'")
        let prefix = reader.int(prefixNode, what: "'prefix'", in: 1...32)
        let gateway = fields["gateway"].flatMap { ipv4($0, what: "'gateway'") }
        if let address, let prefix {
            checkAddress(address, prefix: prefix, gateway: gateway, host: host, addressNode: addressNode, gatewayNode: fields["gateway"])
        }
        let dns = fields["dns"].flatMap { node -> [IPv4Address]? in
            guard let items = reader.list(node, what: "'dns'") else { return nil }
            return items.compactMap { ipv4($0, what: "a DNS server") }
        } ?? []

        var devices = Set(nics.map(\.name))
        /// A bond, VLAN or bridge takes a name no other device of the host has.
        func add(_ name: String, at node: SourceNode?, location: SourceLocation) -> Bool {
            guard devices.insert(name).inserted else {
                reader.error("device name '\(name)' is already a NIC, bond, VLAN or bridge of host '\(host)'", at: node?.location ?? location)
                return false
            }
            return true
        }
        var bonds: [Bond] = []
        for item in fields["bonds"].flatMap({ reader.list($0, what: "'bonds'") }) ?? [] {
            guard let bond = reader.mapping(item, what: "a bond", keys: ["name", "interfaces", "mode"]),
                  let name = bond["name"].flatMap({ value($0, what: "a bond's 'name'", ValueGrammar.interfaceName) }),
                  let membersNode = bond["interfaces"], let members = reader.strings(membersNode, what: "a bond's 'interfaces'") else {
                reader.error("a bond needs 'name' and 'interfaces' (its NICs)", at: item.location)
                continue
            }
            for member in members where !nics.contains(where: { $0.name == member }) {
                reader.error("bond '\(name)' lists '\(member)', which is not one of the host's NICs (\(nics.map(\.name).joined(separator: ", ")))", at: membersNode.location)
            }
            let mode = bond["mode"].map { value($0, what: "a bond's 'mode'", ValueGrammar.bondMode) } ?? "802.3ad"
            guard let mode, add(name, at: bond["name"], location: item.location) else { continue }
            bonds.append(Bond(name: name, interfaces: members, mode: mode))
        }
        var vlans: [VLAN] = []
        for item in fields["vlans"].flatMap({ reader.list($0, what: "'vlans'") }) ?? [] {
            guard let vlan = reader.mapping(item, what: "a VLAN", keys: ["name", "id", "link"]),
                  let idNode = vlan["id"], let linkNode = vlan["link"],
                  let id = reader.int(idNode, what: "a VLAN 'id'", in: 1...4094),
                  let link = reader.string(linkNode, what: "a VLAN 'link'") else {
                reader.error("a VLAN needs 'id' (1-4094) and 'link' (the NIC or bond it rides on)", at: item.location)
                continue
            }
            if !devices.contains(link) {
                reader.error("VLAN \(id) rides on '\(link)', which is neither a NIC nor a bond of the host", at: linkNode.location)
            }
            let name: String
            if let node = vlan["name"] {
                guard let text = value(node, what: "a VLAN 'name'", ValueGrammar.interfaceName) else { continue }
                name = text
            } else {
                name = "\(link).\(id)"
                if let expected = ValueGrammar.interfaceName(name) {
                    reader.error("VLAN \(id) on '\(link)' would be named '\(name)'; expected \(expected): give it a 'name'", at: item.location)
                    continue
                }
            }
            guard add(name, at: vlan["name"], location: item.location) else { continue }
            vlans.append(VLAN(name: name, id: id, link: link))
        }
        var bridges: [Bridge] = []
        for item in fields["bridges"].flatMap({ reader.list($0, what: "'bridges'") }) ?? [] {
            guard let bridge = reader.mapping(item, what: "a bridge", keys: ["name", "interfaces"]),
                  let name = bridge["name"].flatMap({ value($0, what: "a bridge's 'name'", ValueGrammar.interfaceName) }),
                  let portsNode = bridge["interfaces"], let ports = reader.strings(portsNode, what: "a bridge's 'interfaces'") else {
                reader.error("a bridge needs 'name' and 'interfaces' (its ports)", at: item.location)
                continue
            }
            for port in ports where !devices.contains(port) {
                reader.error("bridge '\(name)' has port '\(port)', which is not a NIC, bond or VLAN of the host", at: portsNode.location)
            }
            guard add(name, at: bridge["name"], location: item.location) else { continue }
            bridges.append(Bridge(name: name, interfaces: ports))
        }
        let interface = fields["interface"].flatMap { node -> String? in
            guard let name = reader.string(node, what: "'interface'") else { return nil }
            if !devices.contains(name) {
                var message = "'interface' '\(name)' is not a NIC, bond, VLAN or bridge of the host"
                if let near = Suggestion.nearest(to: name, in: devices) { message += "; did you mean '\(near)'?" }
                reader.error(message, at: node.location)
            }
            return name
        } ?? (nics.first(where: \.boot) ?? nics.first)?.name
        guard let address, let prefix, let interface else { return nil }
        return HostNetwork(interface: interface, address: address, prefix: prefix, gateway: gateway, dns: dns, bonds: bonds, vlans: vlans, bridges: bridges)
    }
}
