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
            is written beside the old one and exchanged in one step: a failed or interrupted \
            render leaves the old tree whole. Boot loaders placed by `netboot assets` are carried \
            over, and so are the files of every host whose inputs (its settings, whether it is \
            armed, the templates) are those the current tree was rendered from: after editing a \
            few hosts, only they are rendered again.
            """)

    @OptionGroup var options: InventoryOptions
    @OptionGroup var tree: TreeOptions

    @Flag(help: "Print a unified diff of every file that changes.")
    var diff = false

    @Flag(help: "Show what would change (implies --diff) and write nothing; exit 2 if something would.")
    var check = false

    @Flag(help: "Render every host, carrying none from the current tree.")
    var full = false

    func run(_ context: ProvisionContext) async throws {
        try await reportingFailures(context) {
            let workspace = options.workspace(context, tree: tree)
            let result = check ? try await RenderRun.check(workspace) : try await RenderRun.render(workspace, diff: diff, full: full)
            for change in result.changes { context.output.write(change) }
            if let written = result.written {
                let carried = written.carriedHosts == 0 ? "" : ", carried the files of \(written.carriedHosts) unchanged"
                context.output.line("rendered \(written.files) files for \(written.renderedHosts) of \(result.hosts) hosts (\(result.armed) armed)\(carried) into \(workspace.tree); kept \(written.assets) boot assets")
            } else {
                context.output.line("\(result.changes.count) file\(result.changes.count == 1 ? "" : "s") would change")
            }
            try exit(with: result.exitStatus)
        }
    }
}
