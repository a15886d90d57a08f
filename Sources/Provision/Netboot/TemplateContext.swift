/// Builds the values templates see (documented in docs/templates.md). Plain dictionaries and
/// arrays: swift-mustache reads them directly, which keeps rendering 10,000 hosts fast.
enum TemplateContext {
    static func host(_ host: Host, site: Site) -> [String: Any] {
        let network = host.network
        let entry = BootEntry(host: host, site: site)
        let mirror = splitURL(host.os.mirror)
        return [
            "host": [
                "name": host.name, "domain": host.domain, "fqdn": host.fqdn,
                "firmware": host.firmware.rawValue, "is_uefi": host.firmware == .uefi,
                "timezone": host.timezone, "locale": host.locale, "proxy": host.proxy ?? "", "has_proxy": host.proxy != nil,
                "root_password_hash": host.rootPasswordHash, "authorized_keys": host.authorizedKeys,
            ] as [String: Any],
            "network": [
                "boot_mac": host.bootNIC.mac.description, "boot_interface": host.bootNIC.name,
                "interface": network.interface, "address": network.address.description,
                "prefix": String(network.prefix), "netmask": network.netmask.description,
                "gateway": network.gateway?.description ?? "",
                "dns": network.dns.map(\.description), "dns_joined": network.dns.map(\.description).joined(separator: " "),
                "bonds": network.bonds.map { ["name": $0.name, "mode": $0.mode, "interfaces": $0.interfaces] as [String: Any] },
                "vlans": network.vlans.map { ["name": $0.name, "id": String($0.id), "link": $0.link] },
                "bridges": network.bridges.map { ["name": $0.name, "interfaces": $0.interfaces] as [String: Any] },
                "has_dns": !network.dns.isEmpty,
                "ifupdown": InstalledNetwork.ifupdown(host), "kickstart": InstalledNetwork.kickstart(host),
                "netplan": InstalledNetwork.netplan(host),
            ] as [String: Any],
            "os": [
                "family": host.os.family.rawValue, "release": host.os.release, "mirror": host.os.mirror,
                "mirror_host": mirror.host, "mirror_path": mirror.path,
            ],
            "disk": [
                "device": host.disk.devices[0], "devices": host.disk.devices, "layout": host.disk.layout.rawValue,
                "is_lvm": host.disk.layout == .lvm, "raid1": host.disk.raid1,
                "members": host.disk.devices.enumerated().map { index, device in
                    ["device": device, "name": String(device.split(separator: "/").last ?? ""), "index": String(index + 1)]
                },
            ] as [String: Any],
            "install": [
                "server": site.installServer,
                "url": BootEntry.installFileURL(host: host, site: site),
                "callback_url": "\(site.installServer)/v1/hosts/\(host.name)/installed",
                "token": InstallToken.marker,
                // What converging needs (SSH, sudo for other logins), the callback's curl, and
                // on Debian what ifupdown needs for the host's bonds, VLANs and bridges.
                "packages": ["openssh-server", "sudo", "curl"] + (host.os.family == .debian ? InstalledNetwork.ifupdownPackages(host) : []),
            ] as [String: Any],
            "boot": [
                "kernel": entry.kernel, "initrd": entry.initrd,
                "kernel_url": "\(site.installServer)/\(entry.kernel)", "initrd_url": "\(site.installServer)/\(entry.initrd)",
                "args": entry.commandLine, "args_grub": entry.grubCommandLine,
            ],
        ]
    }

    /// `http://deb.debian.org/debian` → (`deb.debian.org`, `/debian`): d-i asks for them apart.
    private static func splitURL(_ url: String) -> (host: String, path: String) {
        let rest = url.split(separator: "://", maxSplits: 1).last.map(String.init) ?? url
        guard let slash = rest.firstIndex(of: "/") else { return (rest, "/") }
        return (String(rest[..<slash]), String(rest[slash...]))
    }
}
