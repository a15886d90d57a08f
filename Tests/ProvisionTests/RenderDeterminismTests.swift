import Foundation
import Testing
@testable import Provision

/// A render is the same tree byte for byte in every process. Within one process Swift seeds
/// its hashing once, so a Set or Dictionary iterated into a file comes out in the same order
/// each time and two renders there agree even when the order is an accident; across processes
/// the seeds differ and such an order shows.
@Suite("Rendering across processes", .tags(.medium))
struct RenderDeterminismTests {
    /// Every file of a tree, by its path inside it.
    static func contents(of tree: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for case let path as String in try #require(FileManager.default.enumerator(atPath: tree)) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: "\(tree)/\(path)", isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files[path] = try Data(contentsOf: URL(fileURLWithPath: "\(tree)/\(path)"))
        }
        return files
    }

    @Test("two `provision netboot render` processes write the same tree and the same input digests, whatever their hash seeds")
    func twoProcessesOneTree() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var trees: [[String: Data]] = []
        var digests: [[String: String]] = []
        // One process with Swift's fixed hash seed, one with a random seed: their seeds differ.
        // Both render to the same path (the tree names itself in dnsmasq.conf), each from
        // nothing: the first tree is moved away before the second render.
        let tree = "\(directory.path)/pxe"
        for (index, fixedSeed) in ["1", "0"].enumerated() {
            let render = try run(CommandLineTests.binary, ["netboot", "render", "--inventory", Fixtures.exampleInventory,
                                                           "--state", "\(directory.path)/state-\(index).sqlite", "--tree", tree],
                                 environment: ["SWIFT_DETERMINISTIC_HASHING": fixedSeed])
            #expect(render.status == 0, "\(render.output)")
            var files = try Self.contents(of: tree)
            // The manifest names each file's inode: only its digests of the hosts' inputs must
            // agree (else a render in a new process could never carry a host).
            #expect(files.removeValue(forKey: BootTree.renderManifest) != nil)
            digests.append(RenderManifest(readingTreeAt: tree).entries.mapValues(\.digest))
            trees.append(files)
            try FileManager.default.moveItem(atPath: tree, toPath: "\(directory.path)/rendered-\(index)")
        }
        #expect(!trees[0].isEmpty)
        #expect(digests[0].count == (try loadExample()).hosts.count && digests[0] == digests[1], "each host's input digest is the same in both processes")
        #expect(trees[0].keys.sorted() == trees[1].keys.sorted())
        for (path, content) in trees[0] where trees[1][path] != content {
            let first = String(decoding: content, as: UTF8.self), second = String(decoding: trees[1][path] ?? Data(), as: UTF8.self)
            Issue.record("\(path) differs between the two renders:\n\(UnifiedDiff.diff(old: first, new: second, oldName: "first", newName: "second") ?? "")")
        }
    }
}
