import ArgumentParser
import Provision
import UseCases

/// Where the install server listens, for `serve` and for `up --serve`, which runs it in-process.
struct ServeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Address and port the install server listens on (default: 0.0.0.0 and the port of site.install_server).", valueName: "host:port"))
    var listen: ListenAddress?

    /// The address given, else the site's.
    func address(for site: Site) -> ListenAddress {
        listen ?? .default(for: site)
    }
}
