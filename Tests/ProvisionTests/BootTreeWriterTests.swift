import Foundation
import Testing
@testable import Provision

@Suite("Boot tree on disk", .tags(.small))
struct BootTreeWriterTests {
    typealias File = NetbootRenderer.RenderedFile

    @Test("a render replaces the tree whole and keeps the boot assets")
    func replacesAndKeepsAssets() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let root = "\(temporary.path)/pxe"
        _ = try BootTreeWriter.write([File(path: "tftp/a.cfg", content: "one"), File(path: "tftp/stale.cfg", content: "old")], to: root)
        try "BIOS LOADER".write(toFile: "\(root)/tftp/pxelinux.0", atomically: true, encoding: .utf8)
        try "tftp/pxelinux.0\n".write(toFile: "\(root)/\(BootTree.assetManifest)", atomically: true, encoding: .utf8)

        let summary = try BootTreeWriter.write([File(path: "tftp/a.cfg", content: "two")], to: root)
        #expect(summary.assets == 1)
        #expect(try String(contentsOfFile: "\(root)/tftp/a.cfg", encoding: .utf8) == "two")
        #expect(try String(contentsOfFile: "\(root)/tftp/pxelinux.0", encoding: .utf8) == "BIOS LOADER")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/tftp/stale.cfg"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: temporary.path).sorted()
        #expect(leftovers == [".pxe.previous", "pxe"], "no staging directory is left behind, only the replaced tree")
        #expect(try String(contentsOfFile: "\(temporary.path)/.pxe.previous/tftp/stale.cfg", encoding: .utf8) == "old")
    }

    @Test("the tree a render replaced is kept until the next render, which removes it")
    func previousTreeUntilNextRender() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let root = "\(temporary.path)/pxe"
        for generation in ["first", "second", "third"] {
            _ = try BootTreeWriter.write([File(path: "tftp/\(generation).cfg", content: generation)], to: root)
        }
        let previous = PreviousTree.path(of: root)
        #expect(previous == "\(temporary.path)/.pxe.previous")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(previous)/tftp") == ["second.cfg"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/tftp") == ["third.cfg"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).sorted() == [".pxe.previous", "pxe"])
    }

    @Test("files handed over batch by batch, as rendering goes (workers one batch ahead at most), make the same tree as all at once")
    func batchesMakeTheSameTree() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let inventory = try loadExample()
        let renderer = NetbootRenderer(inventory: inventory, templates: try TemplateSet())
        var batches = 0
        _ = try BootTreeWriter.write(to: "\(temporary.path)/streamed", after: PreviousTree.discard(of: "\(temporary.path)/streamed")) { write in
            try renderer.renderTree(armed: ["kvm-a01"], tftpRoot: "/t", batchSize: 2, window: 1) { batch in
                batches += 1
                try write(batch)
            }
        }
        _ = try BootTreeWriter.write(renderer.renderTree(armed: ["kvm-a01"], tftpRoot: "/t"), to: "\(temporary.path)/whole")
        #expect(batches == 1 + (inventory.hosts.count + 1) / 2, "one batch per two hosts, then the shared files")
        var streamed = try Self.contents(of: "\(temporary.path)/streamed")
        let manifest = RenderManifest(readingTreeAt: "\(temporary.path)/streamed")
        #expect(streamed.removeValue(forKey: BootTree.renderManifest) != nil, "a tree rendered host by host says what it holds for each")
        #expect(manifest.entries.keys.sorted() == inventory.hosts.map(\.name).sorted())
        #expect(streamed.count == renderer.renderTree(armed: ["kvm-a01"], tftpRoot: "/t").count)
        #expect(streamed == (try Self.contents(of: "\(temporary.path)/whole")))
    }

    @Test("a write that fails in the middle of rendering stops the rendering and leaves the old tree")
    func failureWhileRendering() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let root = "\(temporary.path)/pxe"
        _ = try BootTreeWriter.write([File(path: "tftp/a.cfg", content: "old")], to: root)
        let inventory = try loadExample()
        let renderer = NetbootRenderer(inventory: inventory, templates: try TemplateSet())
        struct DiskFull: Error {}
        var batches = 0
        #expect(throws: DiskFull.self) {
            try BootTreeWriter.write(to: root, after: PreviousTree.discard(of: root)) { write in
                try renderer.renderTree(armed: [], tftpRoot: "/t", batchSize: 1, window: 1) { batch in
                    batches += 1
                    if batches == 3 { throw DiskFull() }
                    try write(batch)
                }
            }
        }
        #expect(batches == 3, "no batch is handed over after the failure")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/tftp") == ["a.cfg"])
        #expect(try String(contentsOfFile: "\(root)/tftp/a.cfg", encoding: .utf8) == "old")
    }

    @Test("a render that fails part-way leaves the old tree exactly as it was")
    func failureLeavesOldTree() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let root = "\(temporary.path)/pxe"
        _ = try BootTreeWriter.write([File(path: "tftp/a.cfg", content: "old")], to: root)
        // "tftp/a.cfg" as a file and as a directory: the second write cannot succeed.
        let broken = [File(path: "tftp/a.cfg", content: "new"), File(path: "tftp/a.cfg/inner", content: "x")]
        #expect(throws: (any Error).self) { try BootTreeWriter.write(broken, to: root) }
        #expect(try String(contentsOfFile: "\(root)/tftp/a.cfg", encoding: .utf8) == "old")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: temporary.path)
        #expect(leftovers == ["pxe"], "the staging directory is removed after a failure")
    }

    @Test("unified diff shows changed lines with context")
    func unifiedDiff() {
        let diff = UnifiedDiff.diff(old: "a\nb\nc\n", new: "a\nB\nc\n", oldName: "a/x", newName: "b/x")
        #expect(diff == "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n")
        #expect(UnifiedDiff.diff(old: "same\n", new: "same\n", oldName: "a", newName: "b") == nil)
        #expect(UnifiedDiff.diff(old: "", new: "new\n", oldName: "/dev/null", newName: "b/x") == "--- /dev/null\n+++ b/x\n@@ -0,0 +1,1 @@\n+new\n")
    }

    /// Every file under `root` (relative path) with its content.
    static func contents(of root: String) throws -> [String: String] {
        var contents: [String: String] = [:]
        for case let path as String in FileManager.default.enumerator(atPath: root)! {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(root)/\(path)", isDirectory: &isDirectory), !isDirectory.boolValue {
                contents[path] = try String(contentsOfFile: "\(root)/\(path)", encoding: .utf8)
            }
        }
        return contents
    }
}
