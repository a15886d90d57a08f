/// A host's `ssh`: how the engine reaches it.
extension InventoryBuilder {
    func buildSSH(_ node: SourceNode) -> SSHSettings? {
        guard let fields = reader.mapping(node, what: "'ssh'", keys: ["user", "port", "address", "key", "known_hosts"]) else { return nil }
        return SSHSettings(user: fields["user"].flatMap { reader.string($0, what: "'user'") } ?? "root",
                           port: fields["port"].flatMap { reader.int($0, what: "'port'", in: 1...65535) } ?? 22,
                           address: fields["address"].flatMap(sshAddress),
                           key: fields["key"].flatMap { reader.string($0, what: "'key'") },
                           knownHosts: fields["known_hosts"].flatMap { reader.string($0, what: "'known_hosts'") })
    }

    /// `ssh.address`: a host name or an IPv4 address; its port is `ssh.port`.
    func sshAddress(_ node: SourceNode) -> String? {
        guard let text = reader.string(node, what: "'address'") else { return nil }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
        // Digits and dots only is an address, and a whole one: getaddrinfo reads 10.0.2 as 10.0.0.2.
        let looksNumeric = text.allSatisfy { $0 == "." || $0.isASCII && $0.isNumber }
        guard !text.isEmpty, text.allSatisfy(allowed.contains), !text.hasPrefix("-"), !text.hasPrefix("."),
              !looksNumeric || IPv4Address(text) != nil else {
            reader.error("'address' '\(text)' is not a host name or an IPv4 address (the port goes in 'port')", at: node.location)
            return nil
        }
        return text
    }
}
