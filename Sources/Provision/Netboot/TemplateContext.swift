/// Builds the values templates see (documented in docs/templates.md). Plain dictionaries and
/// arrays: swift-mustache reads them directly, which keeps rendering 10,000 hosts fast. Every
/// string is a `TemplateValue`, so templates quote each for where it lands (`{{sh(x)}}`).
enum TemplateContext {
    static func host(_ host: Host, site: Site) -> [String: Any] {
        let network = host.network
        let entry = BootEntry(host: host, site: site)
        let mirror = splitURL(host.os.mirror)
        func value(_ text: String) -> TemplateValue { TemplateValue(text) }
        func values(_ texts: [String]) -> [TemplateValue] { texts.map(TemplateValue.init) }
        // One typed dictionary per section: as one literal it is too much for the type checker.
        let hostValues: [String: Any] = [
            "name": value(host.name), "domain": value(host.domain), "fqdn": value(host.fqdn),
            "firmware": value(host.firmware.rawValue), "is_uefi": host.firmware == .uefi,
            "timezone": value(host.timezone), "locale": value(host.locale), "proxy": value(host.proxy ?? ""), "has_proxy": host.proxy != nil,
            "root_password_hash": value(host.rootPasswordHash), "authorized_keys": values(host.authorizedKeys),
        ]
        let bonds: [[String: Any]] = network.bonds.map { ["name": value($0.name), "mode": value($0.mode), "interfaces": values($0.interfaces)] }
        let bridges: [[String: Any]] = network.bridges.map { ["name": value($0.name), "interfaces": values($0.interfaces)] }
        let vlans: [[String: TemplateValue]] = network.vlans.map { ["name": value($0.name), "id": value(String($0.id)), "link": value($0.link)] }
        // The installed system's network in the one format the host's installer writes (the
        // other two stay empty: each is a few dozen lines per host, on the render's hot path).
        let installer = host.os.family.installer
        let dns = values(network.dns.map(\.description))
        let networkValues: [String: Any] = [
            "boot_mac": value(host.bootNIC.mac.description), "boot_interface": value(host.bootNIC.name),
            "interface": value(network.interface), "address": value(network.address.description),
            "prefix": value(String(network.prefix)), "netmask": value(network.netmask.description),
            "gateway": value(network.gateway?.description ?? ""),
            "dns": dns, "dns_joined": value(dns.map(\.text).joined(separator: " ")),
            "bonds": bonds, "vlans": vlans, "bridges": bridges, "has_dns": !network.dns.isEmpty,
            "ifupdown": installer == .preseed ? values(InstalledNetwork.ifupdown(host)) : [],
            "kickstart": installer == .kickstart ? values(InstalledNetwork.kickstart(host)) : [],
            "netplan": installer == .autoinstall ? values(InstalledNetwork.netplan(host)) : [],
        ]
        let os: [String: TemplateValue] = [
            "family": value(host.os.family.rawValue), "release": value(host.os.release), "mirror": value(host.os.mirror),
            "mirror_host": value(mirror.host), "mirror_path": value(mirror.path),
        ]
        let disk: [String: Any] = [
            "device": value(host.disk.devices[0]), "devices": values(host.disk.devices), "layout": value(host.disk.layout.rawValue),
            "is_lvm": host.disk.layout == .lvm, "raid1": host.disk.raid1,
        ]
        // What converging needs (SSH, sudo for other logins), the callback's curl, and on
        // Debian what ifupdown needs for the host's bonds, VLANs and bridges.
        let packages = ["openssh-server", "sudo", "curl"] + (host.os.family == .debian ? InstalledNetwork.ifupdownPackages(host) : [])
        let install: [String: Any] = [
            "server": value(site.installServer),
            "url": value(BootEntry.installFileURL(host: host, site: site)),
            "callback_url": value("\(site.installServer)/v1/hosts/\(host.name)/installed"),
            "token": value(InstallToken.marker),
            "packages": values(packages),
        ]
        let boot: [String: TemplateValue] = [
            "kernel": value(entry.kernel), "initrd": value(entry.initrd),
            "kernel_url": value("\(site.installServer)/\(entry.kernel)"), "initrd_url": value("\(site.installServer)/\(entry.initrd)"),
            "args": value(entry.commandLine), "args_grub": value(entry.grubCommandLine),
        ]
        return ["host": hostValues, "network": networkValues, "os": os, "disk": disk, "install": install, "boot": boot]
    }

    /// `http://deb.debian.org/debian` → (`deb.debian.org`, `/debian`): d-i asks for them apart.
    private static func splitURL(_ url: String) -> (host: String, path: String) {
        let rest = url.split(separator: "://", maxSplits: 1).last.map(String.init) ?? url
        guard let slash = rest.firstIndex(of: "/") else { return (rest, "/") }
        return (String(rest[..<slash]), String(rest[slash...]))
    }
}
