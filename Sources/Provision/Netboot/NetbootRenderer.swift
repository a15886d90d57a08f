import Foundation

/// Renders the netboot tree for an inventory: per host its boot configs (install when armed,
/// local disk otherwise) and install files, plus the shared boot configs and dnsmasq's config.
/// Pure: it returns file contents; `BootTreeWriter` puts them on disk.
public struct NetbootRenderer: Sendable {
    public let inventory: Inventory
    public let templates: TemplateSet

    public init(inventory: Inventory, templates: TemplateSet) {
        self.inventory = inventory
        self.templates = templates
    }

    public struct RenderedFile: Sendable, Equatable {
        public var path: String
        public var content: String
    }

    /// Every file of the tree. `tftpRoot` is the absolute path dnsmasq will serve from.
    public func renderTree(armed: Set<String>, tftpRoot: String) -> [RenderedFile] {
        var files: [RenderedFile] = []
        renderTree(armed: armed, tftpRoot: tftpRoot) { files += $0 }
        return files
    }

    /// Every file of the tree, handed to `body` in order, a batch of hosts at a time, on the
    /// calling thread. Hosts are independent: worker threads render the next batches while
    /// `body` takes the last one, so writing the tree overlaps rendering it; they stay at most
    /// `window` batches ahead, so a slow disk does not gather the whole tree in memory. When
    /// `body` throws, no further batch is rendered and the error is rethrown.
    public func renderTree(armed: Set<String>, tftpRoot: String, batchSize: Int = 64, window: Int = 8,
                           _ body: ([RenderedFile]) throws -> Void) rethrows {
        try body(sharedFiles(tftpRoot: tftpRoot))
        let hosts = inventory.hosts
        let batches = (hosts.count + batchSize - 1) / batchSize
        guard batches > 0 else { return }
        let slots = ThreadSafeBox([[RenderedFile]?](repeating: nil, count: batches))
        let ready = (0..<batches).map { _ in DispatchSemaphore(value: 0) }
        // Batch k waits until batch k - window is taken. Waiting on that one batch, not on a
        // count of free places, cannot deadlock: the batch waited for was handed out earlier.
        let taken = (0..<batches).map { _ in DispatchSemaphore(value: 0) }
        // Set by the calling thread when `body` throws: the workers stop early.
        let stop = ThreadSafeBox(false)
        let workersDone = DispatchGroup()
        DispatchQueue.global().async(group: workersDone) {
            DispatchQueue.concurrentPerform(iterations: batches) { batch in
                if batch >= window { taken[batch - window].wait() }
                if !stop.value {
                    let range = batch * batchSize..<min(hosts.count, (batch + 1) * batchSize)
                    let files = hosts[range].flatMap { hostFiles(for: $0, armed: armed.contains($0.name)) }
                    slots.withLock { $0[batch] = files }
                }
                ready[batch].signal()
            }
        }
        // The workers write into `slots`: it must outlive them, whatever `body` does.
        defer {
            stop.withLock { $0 = true }
            taken.forEach { $0.signal() }  // none waits for ever
            workersDone.wait()
        }
        for batch in 0..<batches {
            ready[batch].wait()
            // Taken out of its slot, so that a written batch is freed.
            try body(slots.withLock { slots in
                defer { slots[batch] = nil }
                return slots[batch]!
            })
            taken[batch].signal()
        }
    }

    /// One host's boot configs and install files.
    public func hostFiles(for host: Host, armed: Bool) -> [RenderedFile] {
        let context = TemplateContext.host(host, site: inventory.site)
        return bootFiles(for: host, armed: armed, context: context) + installFiles(for: host, context: context)
    }

    /// One host's boot configs only: what arming and the install callback rewrite.
    public func bootFiles(for host: Host, armed: Bool) -> [RenderedFile] {
        bootFiles(for: host, armed: armed, context: TemplateContext.host(host, site: inventory.site))
    }

    private func bootFiles(for host: Host, armed: Bool, context: [String: Any]) -> [RenderedFile] {
        let mode = armed ? "install" : "local"
        let mac = host.bootNIC.mac
        let grub = templates.render("boot/grub-\(mode).cfg", context)
        return [RenderedFile(path: BootTree.pxelinuxConfig(mac), content: templates.render("boot/pxelinux-\(mode).cfg", context))]
            + BootTree.grubHostConfigs(mac).map { RenderedFile(path: $0, content: grub) }
            + [RenderedFile(path: BootTree.ipxeHost(mac), content: templates.render("boot/ipxe-\(mode).ipxe", context))]
    }

    private func installFiles(for host: Host, context: [String: Any]) -> [RenderedFile] {
        let directory = BootTree.installDirectory(host: host.name)
        let installer = host.os.family.installer
        let templateDirectory: String = switch installer {
        case .preseed: "install/debian"
        case .kickstart: "install/rhel"
        case .autoinstall: "install/ubuntu"
        }
        return BootTree.installFileNames(installer).map { name in
            RenderedFile(path: "\(directory)/\(name)", content: templates.render("\(templateDirectory)/\(name)", context))
        }
    }

    private func sharedFiles(tftpRoot: String) -> [RenderedFile] {
        let site = inventory.site
        let context: [String: Any] = ["install": ["server": TemplateValue(site.installServer)]]
        return [
            RenderedFile(path: BootTree.pxelinuxDefault, content: templates.render("boot/pxelinux-local.cfg", context)),
            RenderedFile(path: BootTree.grubConfig, content: templates.render("boot/grub.cfg", context)),
            RenderedFile(path: BootTree.ipxeBoot, content: templates.render("boot/boot.ipxe", context)),
            RenderedFile(path: BootTree.dnsmasqConfig, content: templates.render("dnsmasq/dnsmasq.conf", dnsmasqContext(tftpRoot: tftpRoot))),
        ]
    }

    /// dnsmasq hands out each host's fixed address by boot MAC, with its subnet's router and DNS.
    private func dnsmasqContext(tftpRoot: String) -> [String: Any] {
        let site = inventory.site
        struct Subnet: Hashable { var network: IPv4Address; var prefix: Int }
        var subnets: [Subnet: Host] = [:]
        for host in inventory.hosts {
            let network = host.network.address.network(prefix: host.network.prefix)
            subnets[Subnet(network: network, prefix: host.network.prefix)] = subnets[Subnet(network: network, prefix: host.network.prefix)] ?? host
        }
        func tag(_ subnet: Subnet) -> String { "net-\(subnet.network.description.replacingOccurrences(of: ".", with: "-"))-\(subnet.prefix)" }
        let subnetList = subnets.keys.sorted { ($0.network, $0.prefix) < ($1.network, $1.prefix) }.map { subnet -> [String: Any] in
            let example = subnets[subnet]!.network
            return ["tag": TemplateValue(tag(subnet)), "network": TemplateValue(subnet.network.description),
                    "netmask": TemplateValue(IPv4Address.netmask(prefix: subnet.prefix).description),
                    "gateway": TemplateValue(example.gateway?.description ?? ""), "dns": TemplateValue(example.dns.map(\.description).joined(separator: ","))]
        }
        let hostList = inventory.hosts.map { host -> [String: Any] in
            let network = IPv4Address(value: host.network.address.value & host.network.netmask.value)
            return ["mac": TemplateValue(host.bootNIC.mac.description), "address": TemplateValue(host.network.address.description),
                    "name": TemplateValue(host.name), "tag": TemplateValue(tag(Subnet(network: network, prefix: host.network.prefix)))]
        }
        return [
            "tftp_root": TemplateValue(tftpRoot), "interface": TemplateValue(site.dhcpInterface ?? ""),
            "tftp_server": TemplateValue(site.tftpServer?.description ?? ""), "ipxe_url": TemplateValue("\(site.installServer)/boot.ipxe"),
            "bios_bootfile": TemplateValue(BootTree.biosBootfile), "uefi_bootfile": TemplateValue(BootTree.uefiBootfile),
            "subnets": subnetList, "hosts": hostList,
        ]
    }
}
