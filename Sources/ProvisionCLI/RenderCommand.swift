import ArgumentParser
import Foundation
import Provision
import UseCases

struct RenderCommand: ContextCommand {
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

    func run(_ context: ProvisionContext) async throws {
        try await reportingFailures(context) {
            let workspace = options.workspace(context, tree: tree)
            let result = check ? try await RenderRun.check(workspace) : try await RenderRun.render(workspace, diff: diff)
            for change in result.changes { context.output.write(change) }
            if let written = result.written {
                context.output.line("rendered \(written.files) files for \(result.hosts) hosts (\(result.armed) armed) into \(workspace.tree); kept \(written.assets) boot assets")
            } else {
                context.output.line("\(result.changes.count) file\(result.changes.count == 1 ? "" : "s") would change")
            }
            try exit(with: result.exitStatus)
        }
    }
}
