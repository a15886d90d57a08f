import ArgumentParser
import Foundation
import Provision
import UseCases

struct AssetsCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "assets",
        abstract: "Fill the tree's boot loaders and installer kernels.",
        discussion: """
            pxelinux, shim + GRUB, iPXE and the Debian 12 installer come from Debian's packages; \
            anything else (other distributions' installer kernels) from the URLs in site.assets, \
            each verified against its pinned sha256. A missing package or a mismatch is an error \
            and nothing is replaced.
            """)

    @OptionGroup var options: InventoryOptions
    @OptionGroup var tree: TreeOptions

    func run(_ context: ProvisionContext) async throws {
        try await reportingFailures(context) {
            let workspace = options.workspace(context, tree: tree)
            let result = try await AssetsRun.run(workspace) { context.output.line($0) }
            context.output.line("placed \(result.placed) boot assets in \(workspace.tree)/\(BootTree.tftp)")
            if !result.missing.isEmpty {
                context.output.line("warning: no source for \(result.missing.joined(separator: ", ")): add them to site.assets (url + sha256) before arming those hosts")
            }
        }
    }
}
