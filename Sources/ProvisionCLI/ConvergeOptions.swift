import ArgumentParser
import Foundation
import Provision
import UseCases

/// What check, plan and apply share: which hosts, how many at once, and how to report.
struct ConvergeOptions: ParsableArguments {
    @OptionGroup var inventory: InventoryOptions

    @Option(help: ArgumentHelp("Hosts, groups or globs (kvm-a*), comma separated.", valueName: "pattern"))
    var limit: [String] = []

    @Option(parsing: .unconditional, help: ArgumentHelp("Only this controller's share of the hosts: shard i of n (1-based), the same split on every controller and run.", valueName: "i/n"))
    var shard: Shard?

    @Option(parsing: .unconditional, help: "How many hosts at once.")
    var concurrency: Int = 50

    @OptionGroup var rolling: RollingOptions

    @Flag(help: "Accept and record host keys that known_hosts does not have yet (never a changed one).")
    var acceptNewHostKeys = false

    @Flag(help: "Show a unified diff of every file whose content differs (coloured on a terminal).")
    var diff = false

    @Flag(help: "Print JSON for scripts (the schema of docs/drift.md).")
    var json = false

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Print only what is not in sync, one line each, and nothing at all when everything is (the default when stdout is not a terminal, as under cron)."))
    var quiet: Bool?

    @Option(name: .customLong("report"), help: ArgumentHelp(
        "Also write a report: json=FILE, junit=FILE (a test case per host and resource) or prometheus=FILE (for node_exporter's textfile collector). Repeatable; each file is replaced atomically.",
        valueName: "format=file"), transform: ReportFile.argument)
    var reports: [ReportFile] = []

    @Flag(help: "Print each selected host's batched probe script and exit (to debug, or to time it through plain ssh).")
    var printProbe = false

    @Flag(help: "When another run holds this inventory's lock, wait for it instead of exiting.")
    var wait = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds to wait for a host's SSH server to answer.", valueName: "seconds"))
    var connectTimeout = 10

    @Option(parsing: .unconditional, help: ArgumentHelp("Connection attempts after the first (0.5 s, 1 s, 2 s ... apart) when a host does not answer.", valueName: "n"))
    var connectRetries = 2

    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds any one probe, fix or handler may run; it is stopped on the host after that.", valueName: "seconds"))
    var commandTimeout = 600

    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds for a host's whole run; no change starts after that (default: no limit).", valueName: "seconds"))
    var hostTimeout: Int?

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard connectTimeout >= 1, commandTimeout >= 1, (hostTimeout ?? 1) >= 1, connectRetries >= 0 else {
            throw ValidationError("--connect-timeout, --command-timeout and --host-timeout must be at least 1 second, --connect-retries at least 0")
        }
    }

    func request(_ mode: Engine.Mode, connectors: ConnectorFactory, interruption: Interruption) -> ConvergeRun.Request {
        let engine = Engine.Options(mode: mode, connectors: connectors, concurrency: concurrency, acceptNewHostKeys: acceptNewHostKeys, connectTimeout: .seconds(connectTimeout),
                                    batch: rolling.batch, maxFail: rolling.maxFail, diff: diff, connectRetries: connectRetries,
                                    commandTimeout: .seconds(commandTimeout), hostTimeout: hostTimeout.map { .seconds($0) }, interruption: interruption)
        return ConvergeRun.Request(engine: engine, limit: limit, shard: shard, reports: reports, waitForLock: wait)
    }
}
