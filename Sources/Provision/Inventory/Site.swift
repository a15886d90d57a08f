/// Settings of the provisioning network and controller, from the inventory's `site:` section.
public struct Site: Sendable {
    /// Base URL that installers reach the install server at, e.g. `http://10.20.0.5:8080`.
    public var installServer: String
    /// Address of the TFTP server handed out in DHCP; dnsmasq itself when absent.
    public var tftpServer: IPv4Address?
    /// A directory whose templates replace the built-in ones file by file (absolute).
    public var templates: String?
    /// dnsmasq listens here; all interfaces when absent.
    public var dhcpInterface: String?
    /// Arming more hosts than this at once asks for confirmation.
    public var confirmAbove: Int
    /// Boot files fetched by URL (installer kernels of other distributions), each pinned by sha256.
    public var assets: [PinnedAsset] = []
    /// YAML playbook files, each defining one role that hosts may list in `roles`.
    public var playbooks: [InventoryPath] = []
    /// How long the run history keeps check, plan and apply runs.
    public var historyDays = 90
    /// Addresses the install server also takes a host's install fetch and callback from, besides
    /// the host's own address: a relay or NAT in front of the provisioning network (`install_relays`).
    public var installRelays: [InstallRelay] = []

    public init(installServer: String, tftpServer: IPv4Address? = nil, templates: String? = nil, dhcpInterface: String? = nil, confirmAbove: Int = 5) {
        self.installServer = installServer
        self.tftpServer = tftpServer
        self.templates = templates
        self.dhcpInterface = dhcpInterface
        self.confirmAbove = confirmAbove
    }
}

/// A relay or NAT that the installers of the hosts on one network reach the install server
/// through (qemu's user networking: guests on 10.0.2.0/24 arrive from 127.0.0.1).
public struct InstallRelay: Sendable, Hashable {
    /// The hosts whose `network.address` lies in this network...
    public var network: IPv4Address
    public var prefix: Int
    /// ...may fetch their install file and call back from this address.
    public var from: IPv4Address

    public func covers(_ address: IPv4Address) -> Bool { address.isInSubnet(of: network, prefix: prefix) }
}

/// A validated inventory: the site and its hosts sorted by name.
public struct Inventory: Sendable {
    public var site: Site
    public var hosts: [Host]
    public var groupNames: [String]
    /// The files it was read from, for messages that point into them.
    public var sources: SourceTexts

    public func host(named name: String) -> Host? {
        // Hosts are sorted by name.
        var low = 0, high = hosts.count
        while low < high {
            let middle = (low + high) / 2
            if hosts[middle].name < name { low = middle + 1 } else { high = middle }
        }
        return low < hosts.count && hosts[low].name == name ? hosts[low] : nil
    }
}

/// A file of the boot tree downloaded from a URL and accepted only if its sha256 matches.
public struct PinnedAsset: Sendable, Hashable {
    /// Relative to the tree's `tftp/`.
    public var path: String
    public var url: String
    public var sha256: String
}

/// A file the inventory names, with where it is named, so that a problem with the file
/// (missing, say) is reported at the list entry the user wrote.
public struct InventoryPath: Sendable, Hashable {
    /// As written in the inventory.
    public var written: String
    /// Resolved against the directory of the inventory file that names it.
    public var path: String
    public var location: SourceLocation
}
