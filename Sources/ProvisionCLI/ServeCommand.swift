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

    @Option(help: ArgumentHelp("Address and port to listen on (default: 0.0.0.0 and the port of site.install_server).", valueName: "host:port"))
    var listen: String?

    func run() async throws {
        try await reportingFailures {
            let inventory = try options.load()
            let lifecycle = try tree.lifecycle(inventory: inventory, statePath: options.state)
            let (host, port) = try listenAddress(site: inventory.site)
            LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
            let server = InstallServer(lifecycle: lifecycle, host: host, port: port)
            try await server.run { port in
                FileHandle.standardError.write(Data("provision serve: listening on \(host):\(port), tree \(tree.tree), state \(options.state)\n".utf8))
            }
        }
    }

    private func listenAddress(site: Site) throws -> (String, Int) {
        if let listen {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
                throw Failure.invalidInput("--listen '\(listen)' is not host:port (e.g. 127.0.0.1:8080)")
            }
            return (String(listen[..<colon]), port)
        }
        return ("0.0.0.0", URL(string: site.installServer)?.port ?? 80)
    }
}
