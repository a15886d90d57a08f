/// The cross-checks: between sections, between a host's fields, and between hosts. Each
/// reports at the place to fix, with the other place as a note.
extension InventoryBuilder {
    /// Groups are flat: a host lists its groups, and neither the defaults nor a group may.
    func checkNoGroupsOutsideHosts(defaults: SourceNode?, groups: [(name: SourceNode.Scalar, node: SourceNode)]) {
        for (label, node) in [("defaults", defaults)] + groups.map({ ("group '\($0.name.text)'", Optional($0.node)) }) {
            if case .mapping(let pairs, _)? = node, let key = pairs.first(where: { $0.key.text == "groups" })?.key {
                reader.error("'groups' belongs on a host; \(label) cannot itself be in groups", at: key.location)
            }
        }
    }

    /// Hostnames, boot MACs and addresses must each belong to one host: dnsmasq would hand the
    /// same lease to two machines, and an install would go to the wrong one.
    func checkUnique(_ hosts: [Host]) {
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

    /// The gateway must be in the host's subnet, and the host's own address must not be the
    /// subnet's network or broadcast address (a /31 or /32 has neither) nor its gateway: the
    /// install would run but the host would be unreachable.
    func checkAddress(_ address: IPv4Address, prefix: Int, gateway: IPv4Address?, host: String, addressNode: SourceNode, gatewayNode: SourceNode?) {
        if let gateway, let gatewayNode, !gateway.isInSubnet(of: address, prefix: prefix) {
            reader.error("gateway \(gateway) is outside the subnet of host '\(host)', \(address.network(prefix: prefix))/\(prefix)", at: gatewayNode.location,
                         related: [.note("the address and prefix are set here", at: addressNode.location)])
        }
        let network = address.network(prefix: prefix)
        if prefix <= 30 {
            if address == network {
                reader.error("'address' \(address) is the network address of \(network)/\(prefix); give the host one between it and the broadcast address", at: addressNode.location)
            } else if address.value == network.value | ~IPv4Address.netmask(prefix: prefix).value {
                reader.error("'address' \(address) is the broadcast address of \(network)/\(prefix); give the host one below it", at: addressNode.location)
            }
        }
        if let gateway, gateway == address, let gatewayNode {
            reader.error("'gateway' \(gateway) is the host's own address; the gateway is the router of its subnet", at: gatewayNode.location,
                         related: [.note("the address is set here", at: addressNode.location)])
        }
    }

    /// Multicast and broadcast addresses (the group bit) and all zeros are no NIC's address:
    /// dnsmasq would never see a request from them.
    func checkMAC(_ mac: MACAddress, node: SourceNode) -> Bool {
        guard mac.isUnicast, mac.bytes.contains(where: { $0 != 0 }) else {
            reader.error("MAC \(mac) is \(mac.isUnicast ? "all zeros" : "a multicast or broadcast address (the group bit of its first byte is set)"); expected a NIC's own address, e.g. 52:54:00:12:34:56", at: node.location)
            return false
        }
        return true
    }
}
