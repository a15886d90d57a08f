/// One host: its entry merged over its groups and the defaults, each field read by its section reader.
extension InventoryBuilder {
    func buildHost(name: SourceNode.Scalar, node: SourceNode, defaults: SourceNode?, groups: [String: SourceNode]) -> Host? {
        if let expected = ValueGrammar.hostName(name.text) {
            reader.error("host name '\(ValueGrammar.shown(name.text))' is not valid; expected \(expected)", at: name.location)
        }
        var groupNames: [String] = []
        if case .mapping(let pairs, _) = node, let groupsNode = pairs.first(where: { $0.key.text == "groups" })?.value {
            for item in reader.list(groupsNode, what: "'groups'") ?? [] {
                guard let group = reader.string(item, what: "a group name") else { continue }
                if groups[group] == nil {
                    var message = "host '\(name.text)' is in group '\(group)', which is not defined under 'groups'"
                    if let near = Suggestion.nearest(to: group, in: groups.keys) { message += "; did you mean '\(near)'?" }
                    reader.error(message, at: item.location)
                } else {
                    groupNames.append(group)
                }
            }
        }
        // Lowest precedence first: defaults, then the groups from last listed to first, then the host.
        var layers: [SourceNode] = defaults.map { [$0] } ?? []
        layers += groupNames.reversed().compactMap { groups[$0] }
        layers.append(node)
        let merged = layers.dropFirst().reduce(layers[0]) { $0.merged(with: $1) }

        let what = "host '\(name.text)'"
        guard let fields = reader.mapping(merged, what: what, keys: InventoryLoader.hostKeys, refused: InventoryLoader.refusedHostKeys) else { return nil }
        func required(_ key: String, _ hint: String) -> SourceNode? {
            if let node = fields[key] { return node }
            // A refused plaintext password stands where the hash belongs: that one error says it.
            if key == "root_password_hash", InventoryLoader.refusedHostKeys.keys.contains(where: merged.hasKey) { return nil }
            reader.error("\(what) has no '\(key)' (not in the host, its groups or the defaults): \(hint)", at: name.location)
            return nil
        }

        let domain = required("domain", "the DNS domain, e.g. dc1.example.net").flatMap { value($0, what: "'domain'", ValueGrammar.domainName) }
        let nics = required("nics", "a list of the host's network cards, each with name and mac").flatMap { buildNICs($0, host: name.text) }
        let network = required("network", "address, prefix and gateway of the host").flatMap { buildNetwork($0, host: name.text, nics: nics ?? []) }
        let firmware = required("firmware", "bios or uefi").flatMap { reader.oneOf($0, what: "'firmware'", as: Firmware.self) }
        let os = required("os", "family, release and mirror").flatMap(buildOS)
        let disk = required("disk", "the install disk(s) and layout").flatMap(buildDisk)
        let passwordHash = required("root_password_hash", "a crypt(3) hash ($6$ or $y$), e.g. from `mkpasswd -m sha-512`").flatMap {
            value($0, what: "'root_password_hash'", secret: true, ValueGrammar.passwordHash)
        }
        let keys = fields["authorized_keys"].flatMap { values($0, what: "'authorized_keys'", ValueGrammar.authorizedKey)?.map(\.text) } ?? []
        let timezone = fields["timezone"].flatMap { value($0, what: "'timezone'", timeZones.problem) } ?? "Etc/UTC"
        let locale = fields["locale"].flatMap { value($0, what: "'locale'", ValueGrammar.locale) } ?? "en_US.UTF-8"
        let proxy = fields["proxy"].flatMap { url($0, what: "'proxy'", schemes: ["http", "https"]) }
        let console = fields["console"].flatMap { node -> String? in
            guard let text = reader.string(node, what: "'console'") else { return nil }
            guard text.wholeMatch(of: /tty[A-Za-z]+[0-9]+(,[0-9]+[noe]?[5-8]?r?)?/) != nil else {
                reader.error("'console' '\(text)' is not a kernel console such as ttyS0 or ttyS1,115200n8", at: node.location)
                return nil
            }
            return text
        }
        var roleLocations: [String: SourceLocation] = [:]
        let roles = fields["roles"].flatMap { node -> [String]? in
            guard let roles = reader.strings(node, what: "'roles'") else { return nil }
            for (role, item) in zip(roles, reader.list(node, what: "'roles'") ?? []) where roleLocations[role] == nil {
                roleLocations[role] = item.location
            }
            return roles
        } ?? []
        var vars: [String: VarValue] = [:]
        if let node = fields["vars"] {
            for (key, value) in reader.namedEntries(node, what: "'vars'") { vars[key.text] = reader.vars(value) }
        }
        let bmc = fields["bmc"].flatMap(buildBMC)
        let isProtected = fields["protected"].flatMap { reader.bool($0, what: "'protected'") } ?? false
        let ssh = fields["ssh"].flatMap(buildSSH) ?? SSHSettings(user: "root", port: 22, address: nil, key: nil, knownHosts: nil)
        let connector: ConnectorSetting? = fields["connector"].map(buildConnector) ?? .ssh  // nil: written wrong (reported)

        guard let domain, let nics, let network, let firmware, let os, let disk, let passwordHash, let connector else { return nil }
        return Host(name: name.text, domain: domain, groups: groupNames, nics: nics, network: network, firmware: firmware, os: os,
                    disk: disk, rootPasswordHash: passwordHash, authorizedKeys: keys, timezone: timezone, locale: locale,
                    console: console, proxy: proxy, roles: roles, roleLocations: roleLocations, vars: vars, bmc: bmc, isProtected: isProtected, ssh: ssh,
                    connector: connector, location: name.location)
    }
}
