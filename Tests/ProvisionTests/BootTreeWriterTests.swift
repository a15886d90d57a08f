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
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: temporary.path)
        #expect(leftovers == ["pxe"], "no staging directory is left behind")
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
}
