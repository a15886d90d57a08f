import ArgumentParser
import Foundation
import Provision
import UseCases

struct ServeCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the install server: install files for armed hosts, and their callbacks.",
        discussion: "Serves the rendered tree's http/ part and installer kernels; state survives restarts (it is in the state file).")

    @OptionGroup var options: InventoryOptions
    @OptionGroup var tree: TreeOptions
    @OptionGroup var serving: ServeOptions

    func run(_ context: ProvisionContext) async throws {
        try await reportingFailures(context) {
            let workspace = options.workspace(context, tree: tree)
            let lifecycle = try workspace.lifecycle(inventory: try workspace.loadInventory())
            let address = serving.address(for: lifecycle.renderer.inventory.site)
            let server = InstallServer(lifecycle: lifecycle, host: address.host, port: address.port, logger: context.logger("provision.serve", level: .info))
            do {
                try await server.run { port in
                    context.errors.line("provision serve: listening on \(server.host):\(port), tree \(workspace.tree), state \(workspace.state)")
                }
            } catch let failure as InstallServer.ListenFailure {
                throw UseCaseFailure.failed(failure.description)
            }
        }
    }
}
