import ArgumentParser
import Foundation
import Provision

/// Where the install server listens, for `serve` and for `up --serve`, which runs it in-process.
struct ServeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Address and port the install server listens on (default: 0.0.0.0 and the port of site.install_server).", valueName: "host:port"))
    var listen: String?

    func server(lifecycle: InstallLifecycle) throws -> InstallServer {
        let (host, port) = try address(site: lifecycle.renderer.inventory.site)
        return InstallServer(lifecycle: lifecycle, host: host, port: port)
    }

    private func address(site: Site) throws -> (String, Int) {
        if let listen {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
                throw Failure.invalidInput("--listen '\(listen)' is not host:port (e.g. 127.0.0.1:8080)")
            }
            return (String(listen[..<colon]), port)
        }
        return ("0.0.0.0", URL(string: site.installServer)?.port ?? 80)
    }
}
