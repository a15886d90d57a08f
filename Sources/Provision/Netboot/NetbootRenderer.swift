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

    /// One host's part of a render: the digest of its inputs, and its files, rendered or
    /// carried from the current tree.
    public struct RenderedHost: Sendable {
        public enum Files: Sendable {
            case rendered([RenderedFile])
            /// The current tree's files for the host, rendered from inputs with the same digest.
            case carried([RenderManifest.File])
        }

        public var name: String
        public var inputDigest: String
        public var files: Files
    }

    /// What a render hands its writer at a time.
    public struct RenderBatch: Sendable {
        /// Files of no one host: the shared boot configs and dnsmasq's config.
        public var files: [RenderedFile] = []
        public var hosts: [RenderedHost] = []

        public init(files: [RenderedFile] = [], hosts: [RenderedHost] = []) {
            self.files = files
            self.hosts = hosts
        }

        /// Every file rendered in the batch, shared and hosts' (carried ones are not).
        public var renderedFiles: [RenderedFile] {
            files + hosts.flatMap { host -> [RenderedFile] in
                if case .rendered(let files) = host.files { return files }
                return []
            }
        }
    }

    /// Every file of the tree, rendered. `tftpRoot` is the absolute path dnsmasq will serve from.
    public func renderTree(armed: Set<String>, tftpRoot: String) -> [RenderedFile] {
        var files: [RenderedFile] = []
        renderTree(armed: armed, tftpRoot: tftpRoot) { files += $0.renderedFiles }
        return files
    }

    /// The tree, handed to `body` a batch of hosts at a time, in order, on the calling thread;
    /// last the shared files. A host whose inputs `carrying` (the current tree's manifest)
    /// holds with the same digest, its files unchanged, is carried, not rendered.
    /// Hosts are independent: worker threads render the next batches while `body` takes the
    /// last one, so writing the tree overlaps rendering it; they stay at most `window` batches
    /// ahead, so a slow disk does not gather the whole tree in memory. The shared files, whose
    /// dnsmasq config lists every host, are rendered meanwhile on a thread of their own. When
    /// `body` throws, no further batch is rendered and the error is rethrown.
    public func renderTree(armed: Set<String>, tftpRoot: String, carrying manifest: RenderManifest? = nil,
                           batchSize: Int = 64, window: Int = 8, _ body: (RenderBatch) throws -> Void) rethrows {
        let shared = ThreadSafeBox<[RenderedFile]>([])
        let sharedDone = DispatchGroup()
        DispatchQueue.global().async(group: sharedDone) { [self] in shared.withLock { $0 = sharedFiles(tftpRoot: tftpRoot) } }
        defer { sharedDone.wait() }
        try renderHosts(armed: armed, carrying: manifest, batchSize: batchSize, window: window, body)
        sharedDone.wait()
        try body(RenderBatch(files: shared.value))
    }

    private func renderHosts(armed: Set<String>, carrying manifest: RenderManifest?, batchSize: Int, window: Int,
                             _ body: (RenderBatch) throws -> Void) rethrows {
        let hosts = inventory.hosts
        let batches = (hosts.count + batchSize - 1) / batchSize
        guard batches > 0 else { return }
        let slots = ThreadSafeBox([RenderBatch?](repeating: nil, count: batches))
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
                    let rendered = hosts[range].map { render($0, armed: armed.contains($0.name), carrying: manifest) }
                    slots.withLock { $0[batch] = RenderBatch(hosts: rendered) }
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

    /// One host's files, or the current tree's when they were rendered from the same inputs.
    func render(_ host: Host, armed: Bool, carrying manifest: RenderManifest?) -> RenderedHost {
        let context = TemplateContext.host(host, site: inventory.site)
        let layout = bootLayout(for: host, armed: armed) + installLayout(for: host)
        let digest = RenderInputs.digest(files: layout, context: context, templates: templates)
        if let carried = manifest?.carried(host.name, digest: digest, paths: layout.map(\.path)) {
            return RenderedHost(name: host.name, inputDigest: digest, files: .carried(carried))
        }
        return RenderedHost(name: host.name, inputDigest: digest, files: .rendered(render(layout, context)))
    }

    /// One host's boot configs and install files.
    public func hostFiles(for host: Host, armed: Bool) -> [RenderedFile] {
        render(bootLayout(for: host, armed: armed) + installLayout(for: host), TemplateContext.host(host, site: inventory.site))
    }

    /// One host's boot configs only: what arming and the install callback rewrite.
    public func bootFiles(for host: Host, armed: Bool) -> [RenderedFile] {
        render(bootLayout(for: host, armed: armed), TemplateContext.host(host, site: inventory.site))
    }

    /// Each file with the template that renders it; a template used for several paths (GRUB's
    /// two names for one host) is rendered once.
    private func render(_ layout: [(path: String, template: String)], _ context: [String: Any]) -> [RenderedFile] {
        var rendered: [String: String] = [:]
        return layout.map { file in
            if let content = rendered[file.template] { return RenderedFile(path: file.path, content: content) }
            let content = templates.render(file.template, context)
            rendered[file.template] = content
            return RenderedFile(path: file.path, content: content)
        }
    }

    /// Where a host's boot configs go and their templates: install boot when armed, else the local disk.
    private func bootLayout(for host: Host, armed: Bool) -> [(path: String, template: String)] {
        let mode = armed ? "install" : "local"
        let mac = host.bootNIC.mac
        return [(BootTree.pxelinuxConfig(mac), "boot/pxelinux-\(mode).cfg")]
            + BootTree.grubHostConfigs(mac).map { ($0, "boot/grub-\(mode).cfg") }
            + [(BootTree.ipxeHost(mac), "boot/ipxe-\(mode).ipxe")]
    }

    private func installLayout(for host: Host) -> [(path: String, template: String)] {
        let directory = BootTree.installDirectory(host: host.name)
        let installer = host.os.family.installer
        let templateDirectory: String = switch installer {
        case .preseed: "install/debian"
        case .kickstart: "install/rhel"
        case .autoinstall: "install/ubuntu"
        }
        return BootTree.installFileNames(installer).map { ("\(directory)/\($0)", "\(templateDirectory)/\($0)") }
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
