/// The installed system's network, from the inventory's `network`: the static address on its
/// interface, with the bonds, VLANs and bridges beneath it, in the syntax each installer's
/// template writes out. Built here rather than in the templates because Mustache can neither
/// compare names (is this the device that carries the address?) nor join lists.
enum InstalledNetwork {
    /// A device to configure, in the order they are built: the NIC carrying the address when
    /// it is a plain one, then bonds, the VLANs on them, the bridges over those.
    enum Device {
        case nic(String), bond(Bond), vlan(VLAN), bridge(Bridge)

        var name: String {
            switch self {
            case .nic(let name): name
            case .bond(let bond): bond.name
            case .vlan(let vlan): vlan.name
            case .bridge(let bridge): bridge.name
            }
        }
    }

    static func devices(_ network: HostNetwork) -> [Device] {
        let virtual: [Device] = network.bonds.map(Device.bond) + network.vlans.map(Device.vlan) + network.bridges.map(Device.bridge)
        return (virtual.contains { $0.name == network.interface } ? [] : [.nic(network.interface)]) + virtual
    }

    /// Debian's `/etc/network/interfaces` (ifupdown), one line per entry. Bonds need
    /// `ifenslave`, VLANs `vlan`, bridges `bridge-utils` (`packages`).
    static func ifupdown(_ host: Host) -> [String] {
        let network = host.network
        // interfaces.d as Debian's own file has it: roles add devices there (hypervisor's cloud bridge).
        var lines = ["# Written by provision at install time, from the network of the host in the inventory.",
                     "source /etc/network/interfaces.d/*", "", "auto lo", "iface lo inet loopback"]
        for device in devices(network) {
            let carrier = device.name == network.interface
            lines += ["", "auto \(device.name)", "iface \(device.name) inet \(carrier ? "static" : "manual")"]
            let options: [String] = switch device {
            case .nic: []
            case .bond(let bond): ["bond-slaves \(bond.interfaces.joined(separator: " "))", "bond-mode \(bond.mode)", "bond-miimon 100"]
            case .vlan(let vlan): ["vlan-raw-device \(vlan.link)"]
            case .bridge(let bridge): ["bridge_ports \(bridge.interfaces.joined(separator: " "))", "bridge_stp off", "bridge_fd 0"]
            }
            lines += options.map { "    \($0)" }
            if carrier {
                lines.append("    address \(network.address)/\(network.prefix)")
                if let gateway = network.gateway { lines.append("    gateway \(gateway)") }
            }
        }
        return lines
    }

    /// Netplan (Ubuntu's autoinstall `network:` section), one line per entry, indented to sit
    /// under `network:`. NICs are matched by MAC (kernel names vary) and named as the
    /// inventory names them, so bonds, VLANs and bridges can refer to them. Names are YAML
    /// quoted: a plain `no` or `1e3` would be read as a boolean or a number.
    static func netplan(_ host: Host) -> [String] {
        let network = host.network
        let devices = devices(network)
        let quote = YAMLString.quote
        func list(_ names: [String]) -> String { "[\(names.map(quote).joined(separator: ", "))]" }
        var lines = ["version: 2"]
        var nics = host.nics.filter { nic in devices.contains { $0.name == nic.name } || network.bonds.contains { $0.interfaces.contains(nic.name) }
            || network.bridges.contains { $0.interfaces.contains(nic.name) } || network.vlans.contains { $0.link == nic.name } }
        if nics.isEmpty { nics = [host.bootNIC] }
        func addressing(_ name: String) -> [String] {
            guard name == network.interface else { return ["      dhcp4: false"] }
            var entries = ["      addresses: \(list(["\(network.address)/\(network.prefix)"]))"]
            if let gateway = network.gateway { entries.append("      routes: [{to: default, via: \(quote(gateway.description))}]") }
            if !network.dns.isEmpty {
                entries.append("      nameservers: {search: \(list([host.domain])), addresses: \(list(network.dns.map(\.description)))}")
            }
            return entries
        }
        lines.append("ethernets:")
        for nic in nics {
            lines += ["  \(quote(nic.name)):", "    match: {macaddress: \(quote(nic.mac.description))}", "    set-name: \(quote(nic.name))"]
            lines += addressing(nic.name).map { String($0.dropFirst(2)) }
        }
        if !network.bonds.isEmpty {
            lines.append("bonds:")
            for bond in network.bonds {
                lines += ["  \(quote(bond.name)):", "    interfaces: \(list(bond.interfaces))",
                          "    parameters: {mode: \(quote(bond.mode)), mii-monitor-interval: 100}"]
                lines += addressing(bond.name).map { String($0.dropFirst(2)) }
            }
        }
        if !network.vlans.isEmpty {
            lines.append("vlans:")
            for vlan in network.vlans {
                lines += ["  \(quote(vlan.name)):", "    id: \(vlan.id)", "    link: \(quote(vlan.link))"]
                lines += addressing(vlan.name).map { String($0.dropFirst(2)) }
            }
        }
        if !network.bridges.isEmpty {
            lines.append("bridges:")
            for bridge in network.bridges {
                lines += ["  \(quote(bridge.name)):", "    interfaces: \(list(bridge.interfaces))", "    parameters: {stp: false, forward-delay: 0}"]
                lines += addressing(bridge.name).map { String($0.dropFirst(2)) }
            }
        }
        return lines
    }

    /// What ifupdown needs installed for the devices `ifupdown` writes.
    static func ifupdownPackages(_ host: Host) -> [String] {
        let network = host.network
        return (network.bonds.isEmpty ? [] : ["ifenslave"]) + (network.vlans.isEmpty ? [] : ["vlan"])
            + (network.bridges.isEmpty ? [] : ["bridge-utils"])
    }

    /// Kickstart `network` commands: one per device, the address on the one that carries it,
    /// no IP on the others. A plain NIC is named by its MAC, so kernel names do not matter;
    /// bond members and bridge ports by the inventory's names. Kickstart takes one line per
    /// `--device`, so a VLAN goes on its link's line when the link has one (anaconda then gives
    /// that line's addressing to the VLAN), and a second VLAN on the same link cannot be
    /// written: it is left out, with a comment saying so.
    static func kickstart(_ host: Host) -> [String] {
        let network = host.network
        let devices = devices(network)
        var vlanOnLine: [String: VLAN] = [:]
        var lines: [String] = []
        for vlan in network.vlans {
            if vlanOnLine[vlan.link] == nil {
                vlanOnLine[vlan.link] = vlan
            } else {
                lines.append("# provision: kickstart takes one VLAN per device; \(vlan.name) on \(vlan.link) is not configured")
            }
        }
        for device in devices {
            var definition: String
            switch device {
            case .nic(let name):
                definition = "--device=\(host.nics.first { $0.name == name }.map(\.mac.description) ?? name)"
            case .bond(let bond):
                definition = "--device=\(bond.name) --bondslaves=\(bond.interfaces.joined(separator: ",")) --bondopts=mode=\(bond.mode),miimon=100"
            case .vlan(let vlan):
                // Written on its link's line, or not at all (a second VLAN of the link).
                guard vlanOnLine[vlan.link] == vlan, !devices.contains(where: { $0.name == vlan.link }) else { continue }
                definition = "--device=\(vlan.link) --vlanid=\(vlan.id) --interfacename=\(vlan.name)"
            case .bridge(let bridge):
                definition = "--device=\(bridge.name) --bridgeslaves=\(bridge.interfaces.joined(separator: ","))"
            }
            var configured = device.name
            if case .vlan = device {} else if let vlan = vlanOnLine[device.name] {
                definition += " --vlanid=\(vlan.id) --interfacename=\(vlan.name)"
                configured = vlan.name
            }
            guard configured == network.interface else {
                lines.append("network \(definition) --onboot=yes --noipv4 --noipv6")
                continue
            }
            var addressing = "--bootproto=static --ip=\(network.address) --netmask=\(network.netmask)"
            if let gateway = network.gateway { addressing += " --gateway=\(gateway)" }
            if !network.dns.isEmpty { addressing += " --nameserver=\(network.dns.map(\.description).joined(separator: ","))" }
            lines.append("network \(definition) --onboot=yes \(addressing)")
        }
        return lines + ["network --hostname=\(host.fqdn)"]
    }
}
