import ArgumentParser
import Foundation
import Provision

struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render the whole netboot tree and swap it in atomically.",
        discussion: """
            Armed hosts get their install boot configs, all others boot their local disk. The tree \
            is written beside the old one and exchanged in one step: a failed render leaves the \
            old tree whole. Boot loaders placed by `netboot assets` are carried over.
            """)

    @OptionGroup var options: InventoryOptions
    @OptionGroup var tree: TreeOptions

    @Flag(help: "Print a unified diff of every file that changes.")
    var diff = false

    @Flag(help: "Show what would change (implies --diff) and write nothing; exit 2 if something would.")
    var check = false

    func run() async throws {
        try await reportingFailures {
            let inventory = try options.load()
            let lifecycle = try tree.lifecycle(inventory: inventory, statePath: options.state)
            let armed = try lifecycle.store.armedHosts()
            let files = lifecycle.renderer.renderTree(armed: armed, tftpRoot: "\(tree.absoluteTree)/\(BootTree.tftp)")
            var changed = 0
            if diff || check {
                changed = printDiff(files, against: tree.absoluteTree)
            }
            if check {
                print("\(changed) file\(changed == 1 ? "" : "s") would change")
                if changed > 0 { throw ExitCode(2) }
                return
            }
            do {
                let summary = try BootTreeWriter.write(files, to: tree.absoluteTree)
                print("rendered \(summary.files) files for \(inventory.hosts.count) hosts (\(armed.count) armed) into \(tree.tree); kept \(summary.assets) boot assets")
            } catch {
                throw Failure.failed("render failed, the old tree is unchanged: \(error)")
            }
        }
    }

    /// Prints added, changed and removed files; returns how many differ.
    private func printDiff(_ files: [NetbootRenderer.RenderedFile], against root: String) -> Int {
        var changed = 0
        var rendered = Set<String>()
        for file in files.sorted(by: { $0.path < $1.path }) {
            rendered.insert(file.path)
            let old = try? String(contentsOfFile: "\(root)/\(file.path)", encoding: .utf8)
            if let text = UnifiedDiff.diff(old: old ?? "", new: file.content, oldName: old == nil ? "/dev/null" : "a/\(file.path)", newName: "b/\(file.path)") {
                print(text, terminator: "")
                changed += 1
            }
        }
        let assets = Set(((try? String(contentsOfFile: "\(root)/\(BootTree.assetManifest)", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init))
        if let enumerator = FileManager.default.enumerator(atPath: root) {
            for case let path as String in enumerator where !rendered.contains(path) && !assets.contains(path) && path != BootTree.assetManifest {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: "\(root)/\(path)", isDirectory: &isDirectory), !isDirectory.boolValue {
                    print("removed: \(path)")
                    changed += 1
                }
            }
        }
        return changed
    }
}
