import ArgumentParser
import Foundation
import Logging
import Provision

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the install server: install files for armed hosts, and their callbacks.",
        discussion: "Serves the rendered tree's http/ part and installer kernels; state survives restarts (it is in the state file).")

    @OptionGroup var options: InventoryOptions
    @OptionGroup var tree: TreeOptions
    @OptionGroup var serving: ServeOptions

    func run() async throws {
        try await reportingFailures {
            let inventory = try options.load()
            let lifecycle = try tree.lifecycle(inventory: inventory, statePath: options.state)
            LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
            let server = try serving.server(lifecycle: lifecycle)
            do {
                try await server.run { port in
                    FileHandle.standardError.write(Data("provision serve: listening on \(server.host):\(port), tree \(tree.tree), state \(options.state)\n".utf8))
                }
            } catch let failure as InstallServer.ListenFailure {
                throw Failure.failed(failure.description)
            }
        }
    }
}
