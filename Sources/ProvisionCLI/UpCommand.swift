import ArgumentParser
import Foundation
import Logging
import Provision
import ProvisionSSH

struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Bring hosts up: install each once through its BMC, then converge it to its roles.",
        discussion: """
            Per host: arm, PXE once and a power cycle through its Redfish BMC, wait for the \
            installer's callback (taken by `provision serve`, or by this process with --serve), wait \
            for a login verified with the host key the installer reported, apply its roles. Every \
            stage has a timeout and is recorded in the state file (`provision status`); a second \
            `up` resumes each host where it stopped: an installed host is only converged, a host \
            brought up before is left alone unless --reinstall. Exit 0 when every host is ready, \
            1 when a stage failed, 4 when a BMC or a host's SSH could not be reached (5: both), \
            64 for bad input (nothing touched). See docs/lifecycle.md.
            """)

    @OptionGroup var options: InventoryOptions
    @OptionGroup var tree: TreeOptions
    @OptionGroup var arming: ArmingOptions
    @OptionGroup var rolling: RollingOptions
    @OptionGroup var serving: ServeOptions

    @Argument(help: "Hosts to bring up.")
    var hosts: [String]

    @Flag(help: "Run the install server in this process while hosts install (else `provision serve` must be running).")
    var serve = false

    @Flag(help: "Install again hosts that an earlier `up` brought up.")
    var reinstall = false

    @Option(help: ArgumentHelp("Seconds from the power cycle to the installer's callback.", valueName: "seconds"))
    var installTimeout = 3600

    @Option(help: ArgumentHelp("Seconds from the callback to a verified SSH login.", valueName: "seconds"))
    var sshTimeout = 600

    @Option(help: ArgumentHelp("Seconds between looks at the state file for the callback, and between SSH attempts.", valueName: "seconds"))
    var pollInterval = 2.0

    @Option(help: ArgumentHelp("Seconds one request to a BMC may take before it is retried (twice).", valueName: "seconds"))
    var bmcTimeout = 30.0

    @Option(help: ArgumentHelp("Seconds any one probe, fix or handler of the converge may run.", valueName: "seconds"))
    var commandTimeout = 600

    func run() async throws {
        try await reportingFailures {
            guard installTimeout >= 1, sshTimeout >= 1, commandTimeout >= 1, pollInterval > 0, bmcTimeout > 0 else {
                throw Failure.invalidInput("--install-timeout, --ssh-timeout and --command-timeout must be at least 1 second, --poll-interval and --bmc-timeout more than 0")
            }
            let inventory = try options.load()
            let selected = try options.hosts(named: hosts, in: inventory)
            let targets = try options.targets(for: selected, siteRoles: try options.loadSiteRoles(of: inventory))
            let (batch, maxFail) = try rolling.shares()
            let lifecycle = try tree.renderedLifecycle(inventory: inventory, statePath: options.state)
            let starts = try Dictionary(uniqueKeysWithValues: selected.map { host in
                (host.name, BringUp.resumePoint(try lifecycle.store.record(host: host.name), reinstall: reinstall))
            })
            let installing = selected.filter { starts[$0.name] == .arm }
            try arming.allowReinstall(of: installing, confirmAbove: inventory.site.confirmAbove)
            try requireBMCs(selected.filter { starts[$0.name]! <= .powerCycle })

            LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
            var logger = Logger(label: "provision.up")
            logger.logLevel = .warning
            let invocation = RunHistoryStore.Invocation.current
            let interruption = Interruption()
            let converge = Engine.Options(mode: .apply, connectors: .standard, holder: invocation.holder,
                                          commandTimeout: .seconds(commandTimeout), interruption: interruption)
            let bringUp = BringUp(lifecycle: lifecycle, options: BringUp.Options(
                installTimeout: .seconds(installTimeout), sshTimeout: .seconds(sshTimeout), pollInterval: .seconds(pollInterval),
                reinstall: reinstall, batch: batch, maxFail: maxFail,
                redfish: RedfishClient.Options(connectTimeout: min(.seconds(10), .seconds(bmcTimeout)), requestTimeout: .seconds(bmcTimeout)),
                converge: converge), logger: logger)

            let server = try serve ? startServer(lifecycle) : nil
            if let server, await server.listening.value == nil {
                let result = await server.task.result
                let reason = if case .failure(let error) = result { "\(error)" } else { "it ended" }
                throw Failure.failed("the install server did not start: \(reason)")
            }
            let signals = InterruptSignals(interruption)
            let outcomes = await DedicatedThread.run {
                bringUp.run(targets) { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
            }
            signals.stop()
            server?.task.cancel()
            _ = await server?.task.result

            print(TextTable.render(header: ["HOST", "STAGE", "RESULT"], rows: outcomes.map { outcome in
                [outcome.host, outcome.stage.rawValue, outcome.failure.map { "FAILED: \($0)" } ?? (outcome.alreadyReady ? "ready (already)" : "ready")]
            }))
            if let signal = interruption.interruptedBy { throw ExitCode(128 + signal) }
            let code = BringUp.exitCode(outcomes)
            if code != 0 { throw ExitCode(code) }
        }
    }

    /// Hosts that go through the BMC stages need a Redfish BMC whose password is at hand:
    /// checked before anything is touched (making a client contacts nothing yet).
    private func requireBMCs(_ hosts: [Provision.Host]) throws {
        for host in hosts {
            guard let bmc = host.bmc else { throw Failure.invalidInput("host \(host.name) has no 'bmc' in the inventory: provision up powers hosts through their BMC") }
            do throws(RedfishError) {
                _ = try RedfishClient(bmc: bmc, logger: Logger(label: "provision.up"))
            } catch {
                throw Failure.invalidInput("host \(host.name): \(error)")
            }
        }
    }

    /// The install server, in this process until the bring-up ends; `listening` resolves with
    /// its port once it accepts callbacks, or nil when it ended without (the port was taken).
    private func startServer(_ lifecycle: InstallLifecycle) throws -> (task: Task<Void, any Error>, listening: Task<Int?, Never>) {
        let server = try serving.server(lifecycle: lifecycle)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            defer { continuation.finish() }
            try await server.run(stopOnSignals: false) { port in
                FileHandle.standardError.write(Data("provision up: install server listening on \(server.host):\(port)\n".utf8))
                continuation.yield(port)
            }
        }
        let listening = Task {
            var iterator = ports.makeAsyncIterator()
            return await iterator.next()
        }
        return (task, listening)
    }
}
