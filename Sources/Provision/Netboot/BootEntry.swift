import Foundation

/// What a boot loader loads to start a host's installer: kernel, initrd and kernel arguments.
/// Computed once per host; pxelinux, GRUB and iPXE templates all print this same entry.
public struct BootEntry: Sendable, Equatable {
    /// Paths relative to the TFTP root (also served over HTTP by the install server).
    public var kernel: String
    public var initrd: String
    public var arguments: [String]

    /// The URL an installer fetches its install file from (the directory for autoinstall).
    public static func installFileURL(host: Host, site: Site) -> String {
        let base = "\(site.installServer)/install/\(host.name)/"
        switch host.os.family.installer {
        case .preseed: return base + "preseed.cfg"
        case .kickstart: return base + "ks.cfg"
        case .autoinstall: return base
        }
    }

    public init(host: Host, site: Site) {
        let directory = BootTree.installerDirectory(host.os)
        kernel = "\(directory)/linux"
        initrd = "\(directory)/initrd"
        let url = Self.installFileURL(host: host, site: site)
        let mac = host.bootNIC.mac
        switch host.os.family.installer {
        case .preseed:
            // d-i asks these before it has the preseed, so they go on the kernel command line.
            // A network without a default route (an isolated install VLAN) would stop it at a
            // question; DNS from the inventory covers a DHCP server that hands out none.
            arguments = ["auto=true", "priority=critical", "url=\(url)", "locale=\(host.locale)", "keymap=us",
                         "hostname=\(host.name)", "domain=\(host.domain)",
                         "netcfg/choose_interface=\(mac)", "interface=\(mac)", "netcfg/no_default_route=true"]
                + host.network.dns.prefix(1).map { "netcfg/get_nameservers=\($0)" }
        case .autoinstall:
            arguments = ["ip=dhcp", "autoinstall", "ds=nocloud;s=\(url)"]
        case .kickstart:
            let network = host.network
            // dracut's static form, bound to the boot NIC by MAC so kernel interface names do not matter.
            let ip = "ip=\(network.address)::\(network.gateway.map(\.description) ?? ""):\(network.netmask):\(host.fqdn):bootnic:none"
            arguments = ["inst.ks=\(url)", "inst.repo=\(host.os.mirror)", ip, "ifname=bootnic:\(mac)"]
                + network.dns.map { "nameserver=\($0)" }
        }
        if let console = host.console {
            // d-i hands what follows "---" to the installed system's boot loader.
            arguments += host.os.family.installer == .preseed ? ["console=\(console)", "---", "console=\(console)"] : ["console=\(console)"]
        }
    }

    /// For pxelinux and iPXE: words separated by spaces, as written. There is no quoting on a
    /// kernel command line that every boot loader and the kernel agree on, so validation keeps
    /// every value that goes into one free of whitespace, quotes, `$` and control characters.
    public var commandLine: String { arguments.joined(separator: " ") }

    /// For GRUB, whose shell splits on `;` and expands `$`: such words are single-quoted.
    public var grubCommandLine: String {
        let special = Set(";$&|<>'\"\\ {}".utf8)
        return arguments.map { argument in
            argument.utf8.contains(where: special.contains) ? Shell.quote(argument) : argument
        }.joined(separator: " ")
    }
}
