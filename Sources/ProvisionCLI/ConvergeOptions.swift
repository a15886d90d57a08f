import ArgumentParser
import Foundation
import Playbooks
import Provision
import ProvisionSSH

/// What check, plan and apply share: which hosts, how many at once, and how to report.
struct ConvergeOptions: ParsableArguments {
    @OptionGroup var inventory: InventoryOptions

    @Option(help: ArgumentHelp("Hosts, groups or globs (kvm-a*), comma separated.", valueName: "pattern"))
    var limit: [String] = []

    @Option(parsing: .unconditional, help: ArgumentHelp("Only this controller's share of the hosts: shard i of n (1-based), the same split on every controller and run.", valueName: "i/n"))
    var shard: String?

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
        valueName: "format=file"))
    var reports: [String] = []

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

    /// Runs the engine over the selected hosts, prints progress and the summary, exits with
    /// the design brief's code (2 changes/drift, 1 failure, 4 unreachable, combined).
    func run(_ mode: Engine.Mode) throws {
        // Every option first, and every file the run writes: a mistake in either ends the run
        // (exit 64) before the first host is contacted, not after its changes landed.
        let shard = try selectedShard()
        guard concurrency >= 1 else { throw Failure.invalidInput("--concurrency must be at least 1") }
        guard connectTimeout >= 1, commandTimeout >= 1, (hostTimeout ?? 1) >= 1, connectRetries >= 0 else {
            throw Failure.invalidInput("--connect-timeout, --command-timeout and --host-timeout must be at least 1 second, --connect-retries at least 0")
        }
        let (batch, maxFail) = try rolling.shares()
        let reportFiles = try reports.map { text -> ReportFile in
            switch ReportFile.parse(text) {
            case .success(let file):
                if let reason = file.unwritableReason() { throw Failure.invalidInput("--report \(text): cannot be written, \(reason)") }
                return file
            case .failure(let error): throw Failure.invalidInput(error.message)
            }
        }
        let loadedInventory = try inventory.load()
        let siteRoles = try inventory.loadSiteRoles(of: loadedInventory)
        let hosts: [Provision.Host]
        do {
            hosts = try HostSelection.select(limit, from: loadedInventory).filter { shard?.contains($0.name) ?? true }
        } catch {
            throw Failure.invalidInput("\(error)")
        }
        let targets = try inventory.targets(for: hosts, siteRoles: siteRoles)
        if printProbe {
            for target in targets { print("# \(target.host.name)\n" + ProbeScript.script(for: target.playbook.resources)) }
            return
        }
        // Where the run is recorded, opened before any host is contacted (as the reports are checked).
        let history: RunHistoryStore
        do {
            history = try RunHistoryStore(path: inventory.state)
        } catch {
            throw Failure.failed("cannot open the state file \(inventory.state) to record the run: \(error)")
        }
        let quiet = self.quiet ?? (isatty(STDOUT_FILENO) == 0)
        let invocation = RunHistoryStore.Invocation.current
        let holder = invocation.holder
        let lock = try takeLock(holder: "\(holder), since \(TimeFormat.text(Date())) UTC")
        defer { lock.release() }
        let interruption = Interruption()
        let signals = InterruptSignals(interruption)
        let startedAt = Date()
        let options = Engine.Options(mode: mode, connectors: .standard, concurrency: concurrency, acceptNewHostKeys: acceptNewHostKeys, connectTimeout: .seconds(connectTimeout),
                                     batch: batch, maxFail: maxFail, diff: diff, holder: holder, connectRetries: connectRetries,
                                     commandTimeout: .seconds(commandTimeout), hostTimeout: hostTimeout.map { .seconds($0) }, interruption: interruption)
        let reports = Engine.run(targets, options: options) { report in
            if !quiet && !json { FileHandle.standardError.write(Data((ConvergeReport.progressLine(report, mode: mode) + "\n").utf8)) }
        }
        signals.stop()
        let run = RunSummary(mode: mode, startedAt: startedAt, seconds: Date().timeIntervalSince(startedAt), hosts: reports,
                             interruptedBy: interruption.interruptedBy)
        var code = run.exitCode
        do {
            try history.record(run, by: invocation)
            try history.prune(before: startedAt.addingTimeInterval(-Double(loadedInventory.site.historyDays) * 86_400))
        } catch {
            FileHandle.standardError.write(Data("cannot record the run in the history (\(inventory.state)): \(error)\n".utf8))
            code |= 1
        }
        for file in reportFiles {
            do {
                try file.write(run)
            } catch {
                FileHandle.standardError.write(Data("cannot write the \(file.format) report \(file.path): \(error)\n".utf8))
                code |= 1
            }
        }
        let output = json ? JSONReport.render(run) : quiet ? ConvergeReport.quiet(reports, mode: mode) : ConvergeReport.text(reports, mode: mode) + "\n"
        FileHandle.standardOutput.write(Data(output.utf8))
        // Interrupted: the shell's convention, 128 + the signal (130 for SIGINT, 143 for SIGTERM).
        if run.interrupted { throw ExitCode(run.exitCode) }
        if code != 0 { throw ExitCode(code) }
    }

    /// The inventory's controller lock; a run that died holding it is reported, not hidden.
    private func takeLock(holder: String) throws -> ControllerLock {
        let path = ControllerLock.path(state: inventory.state, inventory: inventory.inventory)
        let lock: ControllerLock
        do {
            lock = try ControllerLock(path: path, holder: holder, wait: wait) { current in
                FileHandle.standardError.write(Data("waiting for the lock of this inventory, held by \(current)\n".utf8))
            }
        } catch let busy as ControllerLock.Busy {
            throw Failure.failed(busy.description)
        }
        if let stale = lock.staleHolder {
            FileHandle.standardError.write(Data("""
                warning: a previous run ended without releasing this inventory's lock (\(stale)); it was probably killed, \
                and its hosts may be partly converged (see provision history)

                """.utf8))
        }
        return lock
    }

    private func selectedShard() throws -> Shard? {
        try shard.map { text in
            guard let shard = Shard(text) else { throw Failure.invalidInput("--shard '\(text)' is not i/n with 1 ≤ i ≤ n (e.g. 2/4)") }
            return shard
        }
    }
}
