import Foundation

/// Turns parsed inventory documents into typed, cross-checked hosts, reporting through `reader`.
struct InventoryBuilder {
    let reader: NodeReader
    let timeZones = TimeZoneNames()

    func build(_ documents: [(path: String, root: SourceNode)]) -> Inventory? {
        var site: Site?
        var siteLocation: SourceLocation?
        var defaults: SourceNode?
        var groups: [(name: SourceNode.Scalar, node: SourceNode)] = []
        var hostEntries: [(name: SourceNode.Scalar, node: SourceNode)] = []
        var hostLocations: [String: (name: String, location: SourceLocation)] = [:]

        for document in documents {
            guard let top = reader.mapping(document.root, what: "the inventory", keys: InventoryLoader.topKeys) else { continue }
            let directory = (document.path as NSString).deletingLastPathComponent
            if let node = top["site"] {
                if let first = siteLocation {
                    reader.error("a second 'site' section; only one file of an inventory may have one", at: top.keys["site"]!.location,
                                 related: [.note("the first is here", at: first)])
                } else {
                    siteLocation = top.keys["site"]!.location
                    site = buildSite(node, directory: directory)
                }
            }
            if let node = top["defaults"] {
                if let existing = defaults {
                    reader.error("a second 'defaults' section; only one file of an inventory may have one", at: top.keys["defaults"]!.location,
                                 related: [.note("the first is here", at: existing.location)])
                } else {
                    defaults = node
                }
            }
            if let node = top["groups"] {
                for (name, value) in reader.namedEntries(node, what: "'groups'") {
                    if let first = groups.first(where: { $0.name.text == name.text }) {
                        reader.error("group '\(name.text)' is defined twice", at: name.location, related: [.note("first defined here", at: first.name.location)])
                    } else {
                        groups.append((name, value))
                    }
                }
            }
            if let node = top["hosts"] {
                for (name, value) in reader.namedEntries(node, what: "'hosts'") {
                    // DNS and dnsmasq ignore case: KVM-A01 and kvm-a01 are one name to them.
                    if let first = hostLocations[name.text.lowercased()] {
                        let twice = first.name == name.text ? "is defined twice" : "differs from host '\(first.name)' only in case, and host names ignore case"
                        reader.error("host '\(name.text)' \(twice)", at: name.location, related: [.note("first defined here", at: first.location)])
                    } else {
                        hostLocations[name.text.lowercased()] = (name.text, name.location)
                        hostEntries.append((name, value))
                    }
                }
            }
        }
        for (label, node) in [("defaults", defaults)] + groups.map({ ("group '\($0.name.text)'", Optional($0.node)) }) {
            if case .mapping(let pairs, _)? = node, let key = pairs.first(where: { $0.key.text == "groups" })?.key {
                reader.error("'groups' belongs on a host; \(label) cannot itself be in groups", at: key.location)
            }
        }

        let groupNodes = Dictionary(groups.map { ($0.name.text, $0.node) }, uniquingKeysWith: { first, _ in first })
        var hosts: [Host] = []
        for (name, node) in hostEntries {
            if let host = buildHost(name: name, node: node, defaults: defaults, groups: groupNodes) { hosts.append(host) }
        }
        checkUnique(hosts)
        guard let site else {
            // A 'site' section that failed to build is reported already.
            if siteLocation == nil {
                reader.error("the inventory has no 'site' section; it needs at least 'install_server'", at: documents.first?.root.location ?? SourceLocation(file: "inventory", line: 1, column: 1))
            }
            return nil
        }
        return Inventory(site: site, hosts: hosts.sorted { $0.name < $1.name }, groupNames: groups.map(\.name.text), sources: SourceTexts())
    }

    private func buildSite(_ node: SourceNode, directory: String) -> Site? {
        guard let fields = reader.mapping(node, what: "'site'", keys: InventoryLoader.siteKeys) else { return nil }
        guard let serverNode = fields["install_server"] else {
            reader.error("'site' needs 'install_server': the URL installers reach this controller at, e.g. http://10.20.0.5:8080", at: fields.location)
            return nil
        }
        guard let server = url(serverNode, what: "'install_server'", schemes: ["http"]) else { return nil }
        var site = Site(installServer: server)
        if let node = fields["tftp_server"] { site.tftpServer = ipv4(node, what: "'tftp_server'") }
        if let node = fields["templates"], let path = reader.string(node, what: "'templates'") {
            site.templates = resolve(path, in: directory)
        }
        if let node = fields["dhcp_interface"] { site.dhcpInterface = value(node, what: "'dhcp_interface'", ValueGrammar.interfaceName) }
        if let node = fields["confirm_above"], let value = reader.int(node, what: "'confirm_above'", in: 0...100_000) { site.confirmAbove = value }
        if let node = fields["history_days"], let value = reader.int(node, what: "'history_days'", in: 1...36_500) { site.historyDays = value }
        for item in fields["assets"].flatMap({ reader.list($0, what: "'assets'") }) ?? [] {
            guard let asset = reader.mapping(item, what: "an asset", keys: ["path", "url", "sha256"]),
                  let path = asset["path"].flatMap({ reader.string($0, what: "an asset's 'path'") }),
                  let urlNode = asset["url"], let url = url(urlNode, what: "an asset's 'url'", schemes: ["http", "https"]),
                  let shaNode = asset["sha256"], let sha = reader.string(shaNode, what: "'sha256'") else {
                reader.error("an asset needs 'path' (in the tree's tftp/), 'url' and 'sha256'", at: item.location)
                continue
            }
            if path.hasPrefix("/") || path.split(separator: "/").contains("..") {
                reader.error("asset path '\(path)' must be relative and stay inside the tree", at: item.location)
                continue
            }
            guard sha.count == 64, sha.allSatisfy(\.isHexDigit) else {
                reader.error("'sha256' must be 64 hex digits, found '\(sha)'", at: shaNode.location)
                continue
            }
            site.assets.append(PinnedAsset(path: path, url: url, sha256: sha.lowercased()))
        }
        if let node = fields["install_relays"] { site.installRelays = installRelays(node) }
        for item in fields["playbooks"].flatMap({ reader.list($0, what: "'playbooks'") }) ?? [] {
            guard let path = reader.string(item, what: "a playbook path") else { continue }
            site.playbooks.append(InventoryPath(written: path, path: resolve(path, in: directory), location: item.location))
        }
        return site
    }

    /// Paths in the inventory are relative to the directory of the file that holds them.
    private func resolve(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") || directory.isEmpty ? path : "\(directory)/\(path)"
    }

    private func buildHost(name: SourceNode.Scalar, node: SourceNode, defaults: SourceNode?, groups: [String: SourceNode]) -> Host? {
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

    private func buildNICs(_ node: SourceNode, host: String) -> [NIC]? {
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

    private func buildNetwork(_ node: SourceNode, host: String, nics: [NIC]) -> HostNetwork? {
        let keys = ["interface", "address", "prefix", "gateway", "dns", "bonds", "vlans", "bridges"]
        guard let fields = reader.mapping(node, what: "'network'", keys: keys) else { return nil }
        guard let addressNode = fields["address"], let prefixNode = fields["prefix"] else {
            reader.error("'network' needs 'address' and 'prefix' (e.g. address: 10.20.1.11, prefix: 24)", at: fields.location)
            return nil
        }
        let address = ipv4(addressNode, what: "'address'")
        let prefix = reader.int(prefixNode, what: "'prefix'", in: 1...32)
        var gateway: IPv4Address?
        if let node = fields["gateway"], let value = ipv4(node, what: "'gateway'") {
            gateway = value
            if let address, let prefix, !value.isInSubnet(of: address, prefix: prefix) {
                reader.error("gateway \(value) is outside the subnet of host '\(host)', \(address.network(prefix: prefix))/\(prefix)", at: node.location,
                             related: [.note("the address and prefix are set here", at: addressNode.location)])
            }
        }
        if let address, let prefix {
            checkAddress(address, prefix: prefix, gateway: gateway, addressNode: addressNode, gatewayNode: fields["gateway"])
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

    private func buildOS(_ node: SourceNode) -> OperatingSystem? {
        guard let fields = reader.mapping(node, what: "'os'", keys: ["family", "release", "mirror"]) else { return nil }
        guard let familyNode = fields["family"], let releaseNode = fields["release"], let mirrorNode = fields["mirror"] else {
            reader.error("'os' needs 'family' (debian, ubuntu, rocky, rhel, almalinux), 'release' and 'mirror'", at: fields.location)
            return nil
        }
        guard let family = reader.oneOf(familyNode, what: "'family'", as: OperatingSystem.Family.self),
              let release = reader.string(releaseNode, what: "'release'"),
              let mirror = url(mirrorNode, what: "'mirror'", schemes: ["http", "https"]) else { return nil }
        if !family.supportedReleases.contains(release) {
            let hint = release.contains(".") || releaseNode.isPlainNumber ? " (quote versions such as \"24.04\": unquoted, YAML may read them as numbers)" : ""
            reader.error("\(family.rawValue) release '\(release)' is not supported; supported: \(family.supportedReleases.joined(separator: ", "))\(hint)", at: releaseNode.location)
            return nil
        }
        return OperatingSystem(family: family, release: release, mirror: mirror)
    }

    private func buildDisk(_ node: SourceNode) -> DiskLayout? {
        guard let fields = reader.mapping(node, what: "'disk'", keys: ["devices", "layout", "raid1"]) else { return nil }
        guard let devicesNode = fields["devices"] else {
            reader.error("'disk' needs 'devices', e.g. [/dev/sda] or [/dev/sda, /dev/sdb] with raid1: true", at: fields.location)
            return nil
        }
        guard let checked = values(devicesNode, what: "'devices'", ValueGrammar.devicePath) else { return nil }
        let devices = checked.map(\.text)
        var seen: [String: SourceLocation] = [:]
        for (device, location) in checked {
            if let first = seen[device] {
                reader.error("disk '\(device)' is listed twice in 'devices'\(devices.count == 2 ? ": a RAID1 mirrors two different disks" : "")", at: location,
                             related: [.note("first listed here", at: first)])
                return nil
            }
            seen[device] = location
        }
        let layout = fields["layout"].flatMap { reader.oneOf($0, what: "'layout'", as: DiskLayout.Layout.self) } ?? .lvm
        let raid1 = fields["raid1"].flatMap { reader.bool($0, what: "'raid1'") } ?? false
        if raid1, devices.count != 2 {
            reader.error("'raid1: true' mirrors exactly two disks; 'devices' has \(devices.count)", at: devicesNode.location)
            return nil
        }
        if devices.isEmpty {
            reader.error("'devices' is empty: name the disk to install to", at: devicesNode.location)
            return nil
        }
        return DiskLayout(devices: devices, layout: layout, raid1: raid1)
    }

    private func buildBMC(_ node: SourceNode) -> BMC? {
        let refused = ["password": "the BMC password is never written inline: use 'password_env: VAR' or 'password_file: PATH'"]
        let keys = ["type", "address", "username", "password_env", "password_file", "ca_file", "insecure_tls", "system"]
        guard let fields = reader.mapping(node, what: "'bmc'", keys: keys, refused: refused) else { return nil }
        guard let typeNode = fields["type"], let addressNode = fields["address"], let userNode = fields["username"] else {
            reader.error("'bmc' needs 'type' (redfish or ipmi), 'address', 'username' and 'password_env' or 'password_file'", at: fields.location)
            return nil
        }
        let kind = reader.oneOf(typeNode, what: "'type'", as: BMC.Kind.self)
        let address: String? = kind == .redfish ? url(addressNode, what: "a Redfish 'address'", schemes: ["https", "http"]) : reader.string(addressNode, what: "'address'")
        let username = reader.string(userNode, what: "'username'")
        var credential: Secret?
        switch (fields["password_env"], fields["password_file"]) {
        case (let env?, nil): credential = reader.string(env, what: "'password_env'").map { Secret(.environment($0)) }
        case (nil, let file?): credential = reader.string(file, what: "'password_file'").map { Secret(.file($0)) }
        case (_?, _?): reader.error("'bmc' has both 'password_env' and 'password_file'; keep one", at: fields.location)
        case (nil, nil) where !node.hasKey("password"): reader.error("'bmc' needs 'password_env' (an environment variable) or 'password_file' (a file holding the password)", at: fields.location)
        case (nil, nil): break  // the inline password is already reported
        }
        guard let kind, let address, let username, let credential else { return nil }
        var bmc = BMC(kind: kind, address: address, username: username, password: credential)
        if kind == .ipmi {
            for key in ["ca_file", "insecure_tls", "system"] {
                if let name = fields.keys[key] { reader.error("'\(key)' applies to Redfish BMCs only; this one is 'type: ipmi'", at: name.location) }
            }
            return bmc
        }
        let caFile = fields["ca_file"].flatMap { reader.string($0, what: "'ca_file'") }
        let insecure = fields["insecure_tls"].flatMap { reader.bool($0, what: "'insecure_tls'") } ?? false
        switch (caFile, insecure) {
        case (let path?, false): bmc.tls = .caFile(path)
        case (nil, true): bmc.tls = .insecure
        case (_?, true): reader.error("'bmc' has both 'ca_file' and 'insecure_tls: true'; keep 'ca_file' to verify the BMC's certificate", at: fields.location)
        case (nil, false): break
        }
        if let systemNode = fields["system"], let path = reader.string(systemNode, what: "'system'") {
            if path.hasPrefix("/redfish/v1/Systems/") {
                bmc.system = path
            } else {
                reader.error("'system' '\(path)' is not a Redfish system path such as /redfish/v1/Systems/1", at: systemNode.location)
            }
        }
        return bmc
    }

    private func buildSSH(_ node: SourceNode) -> SSHSettings? {
        guard let fields = reader.mapping(node, what: "'ssh'", keys: ["user", "port", "address", "key", "known_hosts"]) else { return nil }
        return SSHSettings(user: fields["user"].flatMap { reader.string($0, what: "'user'") } ?? "root",
                           port: fields["port"].flatMap { reader.int($0, what: "'port'", in: 1...65535) } ?? 22,
                           address: fields["address"].flatMap(sshAddress),
                           key: fields["key"].flatMap { reader.string($0, what: "'key'") },
                           knownHosts: fields["known_hosts"].flatMap { reader.string($0, what: "'known_hosts'") })
    }

    /// `connector`: `ssh` (the default), `local` (the controller itself) or `{chroot: DIR}` (a
    /// root directory on the controller, by its absolute path).
    private func buildConnector(_ node: SourceNode) -> ConnectorSetting? {
        let expected = "expected ssh, local or {chroot: /path/to/root}"
        if case .mapping(let pairs, _) = node {
            guard let fields = reader.mapping(node, what: "'connector'", keys: ["chroot"]) else { return nil }
            guard let rootNode = fields["chroot"] else {
                // Other keys are reported as unknown already.
                if pairs.isEmpty { reader.error("'connector' names no root directory; \(expected)", at: node.location) }
                return nil
            }
            guard let root = reader.string(rootNode, what: "'chroot'") else { return nil }
            let parts = root.split(separator: "/")
            guard root.hasPrefix("/"), !parts.contains(".."), !parts.contains(".") else {
                reader.error("'chroot' '\(ValueGrammar.shown(root))' is not an absolute path without '.' or '..' (e.g. /srv/images/web)", at: rootNode.location)
                return nil
            }
            guard !parts.isEmpty else {
                reader.error("'chroot' '\(root)' is the controller's own root: write 'connector: local' for it", at: rootNode.location)
                return nil
            }
            return .chroot("/" + parts.joined(separator: "/"))
        }
        guard let text = reader.string(node, what: "'connector'") else { return nil }
        switch text {
        case "ssh": return .ssh
        case "local": return .local
        default:
            var message = "'connector' '\(ValueGrammar.shown(text))' is not a connector; \(expected)"
            if text.hasPrefix("chroot") { message += " (write the directory in a mapping: connector: {chroot: DIR})" }
            else if let near = Suggestion.nearest(to: text, in: ["ssh", "local"]) { message += "; did you mean '\(near)'?" }
            reader.error(message, at: node.location)
            return nil
        }
    }

    /// `ssh.address`: a host name or an IPv4 address; its port is `ssh.port`.
    private func sshAddress(_ node: SourceNode) -> String? {
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

    /// Hostnames, boot MACs and addresses must each belong to one host: dnsmasq would hand the
    /// same lease to two machines, and an install would go to the wrong one.
    private func checkUnique(_ hosts: [Host]) {
        var macs: [MACAddress: (host: String, location: SourceLocation)] = [:]
        var addresses: [IPv4Address: (host: String, location: SourceLocation)] = [:]
        var fqdns: [String: (host: String, location: SourceLocation)] = [:]
        // Two hosts behind one SSH address and port would be taken for one: the second's key
        // would replace the first's in known_hosts, and its converge would go to the first.
        // (Two hosts that both use their network address share it: reported below already.)
        var sshTargets: [SSHAddress: (host: String, location: SourceLocation, explicit: Bool)] = [:]
        for host in hosts where host.connector == .ssh {
            let ssh = host.sshAddress
            if let first = sshTargets[ssh] {
                if first.explicit || host.ssh.address != nil {
                    reader.error("SSH address \(ssh) of host '\(host.name)' is also used by host '\(first.host)'", at: host.location,
                                 related: [.note("host '\(first.host)' is defined here", at: first.location)])
                }
            } else {
                sshTargets[ssh] = (host.name, host.location, host.ssh.address != nil)
            }
            for nic in host.nics {
                if let first = macs[nic.mac] {
                    reader.error("MAC \(nic.mac) of host '\(host.name)' (\(nic.name)) is also used by host '\(first.host)'", at: host.location,
                                 related: [.note("host '\(first.host)' is defined here", at: first.location)])
                } else {
                    macs[nic.mac] = (host.name, host.location)
                }
            }
            if let first = addresses[host.network.address] {
                reader.error("address \(host.network.address) of host '\(host.name)' is also used by host '\(first.host)'", at: host.location,
                             related: [.note("host '\(first.host)' is defined here", at: first.location)])
            } else {
                addresses[host.network.address] = (host.name, host.location)
            }
            if let first = fqdns[host.fqdn.lowercased()] {
                reader.error("hostname \(host.fqdn) is also used by host '\(first.host)'", at: host.location,
                             related: [.note("host '\(first.host)' is defined here", at: first.location)])
            } else {
                fqdns[host.fqdn.lowercased()] = (host.name, host.location)
            }
        }
    }
}

private extension SourceNode {
    func hasKey(_ key: String) -> Bool {
        if case .mapping(let pairs, _) = self { return pairs.contains { $0.key.text == key } }
        return false
    }

    var isPlainNumber: Bool {
        if case .scalar(let scalar) = self, !scalar.quoted, Double(scalar.text) != nil { return true }
        return false
    }
}
