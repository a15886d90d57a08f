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
            let tftpRoot = "\(tree.absoluteTree)/\(BootTree.tftp)"
            if check {
                let (renderer, armed) = try prepare(writing: false)
                let changed = printDiff(renderer.renderTree(armed: armed, tftpRoot: tftpRoot), against: tree.absoluteTree)
                print("\(changed) file\(changed == 1 ? "" : "s") would change")
                if changed > 0 { throw ExitCode(2) }
                return
            }
            // The tree the last render replaced goes while this one reads its inventory.
            let previous = PreviousTree.discard(of: tree.absoluteTree)
            defer { previous.wait() }
            let (renderer, armed) = try prepare(writing: true)
            // With --diff every file is needed before the first is written; else each batch is
            // written as soon as it is rendered.
            let files = diff ? renderer.renderTree(armed: armed, tftpRoot: tftpRoot) : nil
            if let files { _ = printDiff(files, against: tree.absoluteTree) }
            do {
                let summary = try BootTreeWriter.write(to: tree.absoluteTree, after: previous) { write in
                    if let files {
                        try write(files)
                    } else {
                        try renderer.renderTree(armed: armed, tftpRoot: tftpRoot, write)
                    }
                }
                print("rendered \(summary.files) files for \(renderer.inventory.hosts.count) hosts (\(armed.count) armed) into \(tree.tree); kept \(summary.assets) boot assets")
            } catch {
                throw Failure.failed("render failed, the old tree is unchanged: \(error)")
            }
        }
    }

    /// The inventory loaded into a renderer, and the hosts armed in the state file. Unless
    /// `writing`, the state file is only read: `--check` creates no file and no directory.
    private func prepare(writing: Bool) throws -> (NetbootRenderer, armed: Set<String>) {
        let inventory = try options.load()
        let renderer = NetbootRenderer(inventory: inventory, templates: try tree.templates(for: inventory))
        do {
            let armed = writing ? try InstallStateStore(path: options.state).armedHosts() : try InstallStateStore.armedHosts(readingOnly: options.state)
            return (renderer, armed)
        } catch {
            throw Failure.failed("cannot \(writing ? "open" : "read") the state file \(options.state): \(error)")
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
