import Foundation
import Testing
@testable import Provision

/// `netboot render` after a small edit renders only the hosts whose inputs changed and carries
/// the others' files from the current tree by hard link, under the exactly-once rule: a host
/// edited, armed, disarmed, whose file in the tree was touched, or whose templates changed is
/// rendered, never carried; the tree is always the one a full render makes; an interrupted
/// render leaves the old tree whole.
@Suite("Incremental render", .tags(.medium))
struct IncrementalRenderTests {
    typealias Workspace = CommandLineTests.Workspace

    /// A workspace with its own copy of the example inventory, to edit.
    static func workspace() throws -> (Workspace, inventory: String) {
        let workspace = try Workspace()
        let inventory = "\(workspace.directory.path)/inventory.yml"
        try FileManager.default.copyItem(atPath: Fixtures.exampleInventory, toPath: inventory)
        return (workspace, inventory)
    }

    static func render(_ workspace: Workspace, _ inventory: String, _ flags: [String] = []) async throws -> String {
        let result = try await workspace.provision(["netboot", "render"] + flags, inventory: inventory)
        #expect(result.status == 0, "\(result.output)")
        return result.output
    }

    /// Every file's inode, by its path in the tree.
    static func inodes(of tree: String) throws -> [String: UInt64] {
        var inodes: [String: UInt64] = [:]
        for case let path as String in try #require(FileManager.default.enumerator(atPath: tree)) {
            if let identity = FileIdentity(of: "\(tree)/\(path)") { inodes[path] = identity.inode }
        }
        return inodes
    }

    /// The hosts whose files in `tree` are new files, not links to those of the tree it replaced.
    static func renderedHosts(in tree: String, replacing previous: [String: UInt64]) throws -> Set<String> {
        let manifest = RenderManifest(readingTreeAt: tree)
        let now = try inodes(of: tree)
        var hosts = Set<String>()
        for (name, entry) in manifest.entries where entry.files.contains(where: { now[$0.path] != previous[$0.path] }) {
            hosts.insert(name)
        }
        return hosts
    }

    static func edit(_ path: String, replacing old: String, with new: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(old))
        try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The tree a full render of the same inputs makes, in a directory of its own.
    static func fullRender(_ workspace: Workspace, _ inventory: String) async throws -> [String: Data] {
        let tree = "\(workspace.directory.path)/full"
        let result = await InProcessCommand.run(["netboot", "render", "--full", "--inventory", inventory, "--state", workspace.state, "--tree", tree])
        #expect(result.status == 0, "\(result.output)")
        return try treeFiles(tree)
    }

    /// A tree's files but the manifest and dnsmasq's config (which names the tree's own path,
    /// and is rendered every time).
    static func treeFiles(_ tree: String) throws -> [String: Data] {
        var files = try RenderDeterminismTests.contents(of: tree)
        files[BootTree.renderManifest] = nil
        files[BootTree.dnsmasqConfig] = nil
        return files
    }

    @Test("rendered again with nothing changed, every host is carried by hard link; --full renders every one, to the same tree")
    func nothingChanged() async throws {
        let (workspace, inventory) = try Self.workspace()
        defer { workspace.directory.remove() }
        let hosts = try InventoryLoader.load(path: inventory).hosts.count
        #expect(try await Self.render(workspace, inventory).contains("for \(hosts) of \(hosts) hosts"))
        let first = try Self.inodes(of: workspace.tree)

        let again = try await Self.render(workspace, inventory)
        #expect(again.contains("for 0 of \(hosts) hosts") && again.contains("carried the files of \(hosts) unchanged"), "\(again)")
        #expect(try Self.renderedHosts(in: workspace.tree, replacing: first).isEmpty)
        let previous = try Self.inodes(of: PreviousTree.path(of: workspace.tree))
        #expect(previous == first, "the replaced tree is the first one, whole")

        let carried = try Self.treeFiles(workspace.tree)
        let full = try await Self.render(workspace, inventory, ["--full"])
        #expect(full.contains("for \(hosts) of \(hosts) hosts") && !full.contains("carried"), "\(full)")
        #expect(try Self.renderedHosts(in: workspace.tree, replacing: first).count == hosts)
        #expect(try Self.treeFiles(workspace.tree) == carried)
    }

    @Test("a host edited, armed or disarmed is rendered again, the others carried; the tree is the one a full render makes")
    func changedHostsOnly() async throws {
        let (workspace, inventory) = try Self.workspace()
        defer { workspace.directory.remove() }
        _ = try await Self.render(workspace, inventory)

        // An edit to one host's settings.
        try Self.edit(inventory, replacing: "  kvm-a02:\n", with: "  kvm-a02:\n    timezone: Asia/Tokyo\n")
        var before = try Self.inodes(of: workspace.tree)
        #expect(try await Self.render(workspace, inventory).contains("for 1 of "))
        #expect(try Self.renderedHosts(in: workspace.tree, replacing: before) == ["kvm-a02"])
        let preseed = try String(contentsOfFile: "\(workspace.tree)/install/kvm-a02/preseed.cfg", encoding: .utf8)
        #expect(preseed.contains("Asia/Tokyo"))
        #expect(try Self.treeFiles(workspace.tree) == (try await Self.fullRender(workspace, inventory)))

        // Arming rewrites the host's boot configs in the tree; the next render renders it
        // (its inputs say armed now), and the one after carries it, still armed.
        #expect(try await workspace.provision(["install", "kvm-a01"], inventory: inventory).status == 0)
        before = try Self.inodes(of: workspace.tree)
        _ = try await Self.render(workspace, inventory)
        #expect(try Self.renderedHosts(in: workspace.tree, replacing: before) == ["kvm-a01"])
        before = try Self.inodes(of: workspace.tree)
        #expect(try await Self.render(workspace, inventory).contains("for 0 of "))
        #expect(try Self.renderedHosts(in: workspace.tree, replacing: before).isEmpty)
        let armedTree = try Self.treeFiles(workspace.tree)
        #expect(armedTree == (try await Self.fullRender(workspace, inventory)))
        let pxelinux = BootTree.pxelinuxConfig(try #require(MACAddress("3c:ec:ef:10:a0:01")))
        #expect(String(decoding: armedTree[pxelinux] ?? Data(), as: UTF8.self).contains("install"))

        // Disarmed only in the state file (as an install callback does when the tree cannot
        // be written): the inputs differ from the tree's, so the host is rendered, to local boot.
        try InstallStateStore(path: workspace.state).disarm(["kvm-a01"])
        before = try Self.inodes(of: workspace.tree)
        _ = try await Self.render(workspace, inventory)
        #expect(try Self.renderedHosts(in: workspace.tree, replacing: before) == ["kvm-a01"])
        #expect(try Self.treeFiles(workspace.tree) == (try await Self.fullRender(workspace, inventory)))
    }

    @Test("a host's file changed in the tree since it was rendered, or a changed template, renders again")
    func touchedFilesAndTemplates() async throws {
        let (workspace, inventory) = try Self.workspace()
        defer { workspace.directory.remove() }
        _ = try await Self.render(workspace, inventory)
        let preseed = "\(workspace.tree)/install/kvm-a02/preseed.cfg"
        let rendered = try String(contentsOfFile: preseed, encoding: .utf8)
        // Edited in place: the same inode, another size and time.
        let handle = try #require(FileHandle(forWritingAtPath: preseed))
        handle.seekToEndOfFile()
        handle.write(Data("d-i hand/edit string yes\n".utf8))
        try handle.close()
        var before = try Self.inodes(of: workspace.tree)
        _ = try await Self.render(workspace, inventory)
        #expect(try Self.renderedHosts(in: workspace.tree, replacing: before) == ["kvm-a02"])
        #expect(try String(contentsOfFile: preseed, encoding: .utf8) == rendered)

        // A site template that differs from the built-in one changes every host's inputs.
        let templates = "\(workspace.directory.path)/templates"
        try FileManager.default.createDirectory(atPath: "\(templates)/boot", withIntermediateDirectories: true)
        let builtIn = try String(contentsOfFile: "\(try ShareDirectory.locate().templates)/boot/ipxe-local.ipxe.mustache", encoding: .utf8)
        try (builtIn + "# site\n").write(toFile: "\(templates)/boot/ipxe-local.ipxe.mustache", atomically: true, encoding: .utf8)
        try Self.edit(inventory, replacing: "site:\n", with: "site:\n  templates: \(templates)\n")
        before = try Self.inodes(of: workspace.tree)
        let hosts = try InventoryLoader.load(path: inventory).hosts
        #expect(try await Self.render(workspace, inventory).contains("for \(hosts.count) of \(hosts.count) hosts"))
        #expect(try Self.renderedHosts(in: workspace.tree, replacing: before) == Set(hosts.map(\.name)))
    }

    @Test("a garbled manifest carries nothing: every host is rendered")
    func garbledManifest() async throws {
        let (workspace, inventory) = try Self.workspace()
        defer { workspace.directory.remove() }
        _ = try await Self.render(workspace, inventory)
        let manifest = "\(workspace.tree)/\(BootTree.renderManifest)"
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        try (text + "garbage\n").write(toFile: manifest, atomically: true, encoding: .utf8)
        let hosts = try InventoryLoader.load(path: inventory).hosts.count
        #expect(try await Self.render(workspace, inventory).contains("for \(hosts) of \(hosts) hosts"))
    }

    @Test("a manifest cut anywhere never carries a host with a file missing: it is dropped, or the host renders")
    func cutManifest() async throws {
        let (workspace, inventory) = try Self.workspace()
        defer { workspace.directory.remove() }
        _ = try await Self.render(workspace, inventory)
        let whole = RenderManifest(readingTreeAt: workspace.tree)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "\(workspace.tree)/\(BootTree.renderManifest)")))
        #expect(RenderManifest.parse(bytes) == whole.entries && !whole.entries.isEmpty)
        #expect(RenderManifest.parse(Array(whole.text.utf8)) == whole.entries, "what it writes, it reads back")
        for cut in 0..<bytes.count {
            let entries = RenderManifest.parse(Array(bytes[..<cut])) ?? [:]
            let manifest = RenderManifest(root: workspace.tree, entries: entries)
            for (name, entry) in whole.entries {
                let carried = manifest.carried(name, digest: entry.digest, paths: entry.files.map(\.path))
                #expect(carried == nil || carried == entry.files, "cut at byte \(cut): \(name) carried with files missing")
            }
        }
    }

    @Test("a render interrupted part-way, or whose carried file vanished meanwhile, leaves the old tree whole, manifest included")
    func interrupted() async throws {
        let (workspace, inventory) = try Self.workspace()
        defer { workspace.directory.remove() }
        try Self.edit(inventory, replacing: "  kvm-a02:\n", with: "  kvm-a02:\n    timezone: Asia/Tokyo\n")
        _ = try await Self.render(workspace, inventory)
        let oldInodes = try Self.inodes(of: workspace.tree)
        let oldFiles = try RenderDeterminismTests.contents(of: workspace.tree)
        let renderer = NetbootRenderer(inventory: try InventoryLoader.load(path: Fixtures.exampleInventory), templates: try TemplateSet())
        let current = RenderManifest(readingTreeAt: workspace.tree)
        struct Interrupted: Error {}

        var batches = 0
        #expect(throws: Interrupted.self) {
            _ = try BootTreeWriter.write(to: workspace.tree, after: PreviousTree.discard(of: workspace.tree)) { write in
                try renderer.renderTree(armed: [], tftpRoot: "/t", carrying: current, batchSize: 2) { batch in
                    batches += 1
                    if batches == 4 { throw Interrupted() }
                    try write(batch)
                }
            }
        }
        #expect(try Self.inodes(of: workspace.tree) == oldInodes)
        #expect(try RenderDeterminismTests.contents(of: workspace.tree) == oldFiles)

        // The file checked as carried goes before it is linked: the render stops, saying so.
        let victim = try #require(current.entries["kvm-b01"]?.files.first)
        do {
            _ = try BootTreeWriter.write(to: workspace.tree, after: PreviousTree.discard(of: workspace.tree)) { write in
                try renderer.renderTree(armed: [], tftpRoot: "/t", carrying: current) { batch in
                    if batch.hosts.contains(where: { $0.name == "kvm-b01" }) { unlink("\(workspace.tree)/\(victim.path)") }
                    try write(batch)
                }
            }
            Issue.record("the render went on without a file it carries")
        } catch {
            #expect("\(error)".contains("cannot link \(workspace.tree)/\(victim.path)"), "\(error)")
        }
        var expected = oldInodes
        expected[victim.path] = nil
        #expect(try Self.inodes(of: workspace.tree) == expected)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: workspace.directory.path).filter { $0.contains(".new-") }
        #expect(leftovers.isEmpty, "no staging directory is left behind")
    }
}
