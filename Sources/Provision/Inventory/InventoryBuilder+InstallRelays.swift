extension InventoryBuilder {
    /// `site.install_relays`: a list of `{network: CIDR, from: ADDRESS}`. The install server takes
    /// a host's install fetch and callback from the host's own address, or from the `from` of a
    /// relay whose network holds that address; nothing else.
    func installRelays(_ node: SourceNode) -> [InstallRelay] {
        var relays: [InstallRelay] = []
        for item in reader.list(node, what: "'install_relays'") ?? [] {
            guard let fields = reader.mapping(item, what: "an install relay", keys: ["network", "from"]) else { continue }
            guard let networkNode = fields["network"], let fromNode = fields["from"] else {
                reader.error("an install relay needs 'network' (the hosts' network, e.g. 10.0.2.0/24) and 'from' (the address their requests arrive from, e.g. 127.0.0.1)",
                             at: item.location)
                continue
            }
            guard let network = reader.string(networkNode, what: "an install relay's 'network'"),
                  let from = reader.string(fromNode, what: "an install relay's 'from'") else { continue }
            let parts = network.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let address = IPv4Address(String(parts[0])), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                  let prefix = Int(parts[1]), (0...32).contains(prefix) else {
                reader.error("an install relay's 'network' must be an IPv4 network ADDRESS/PREFIX, e.g. 10.0.2.0/24; found '\(network)'", at: networkNode.location)
                continue
            }
            guard address.network(prefix: prefix) == address else {
                reader.error("an install relay's 'network' \(network) has host bits set; did you mean \(address.network(prefix: prefix))/\(prefix)?",
                             at: networkNode.location)
                continue
            }
            guard let relay = IPv4Address(from) else {
                reader.error("an install relay's 'from' must be one IPv4 address, e.g. 127.0.0.1; found '\(from)'", at: fromNode.location)
                continue
            }
            relays.append(InstallRelay(network: address, prefix: prefix, from: relay))
        }
        return relays
    }
}
