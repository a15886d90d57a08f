import Foundation

/// One host's part of a run: connect (retrying what may pass), run the one probe script,
/// compare; when applying and something differs, take the host lock, probe again under it, fix
/// what differs in order, run the handlers.
/// Every remote script is bounded by `timeout` on the host itself, so a command that never ends
/// is stopped there; the host as a whole by its deadline. A host's failure ends its run only.
struct HostRun {
    let target: Engine.Target
    let options: Engine.Options
    let started = Date()
    var report: HostReport
    /// The host's connections: the first, then one per confirmed guarded change (the path the
    /// first took may be gone after it). Later commands use the last; execs count them all.
    var connections: [any Connector] = []
    /// The state probes and (with --diff) the content probes of the resources that have content.
    let probeScript: ProbeScript
    let contentIndices: [Int]

    init(_ target: Engine.Target, options: Engine.Options) {
        self.target = target
        self.options = options
        report = HostReport(host: target.host.name)
        let resources = target.playbook.resources
        contentIndices = options.diff ? resources.indices.filter { resources[$0].contentProbe != nil } : []
        probeScript = ProbeScript(probes: resources.map(\.probe), contentProbes: contentIndices.map { resources[$0].contentProbe! })
    }

    static func run(_ target: Engine.Target, options: Engine.Options) -> HostReport {
        var run = HostRun(target, options: options)
        if options.interruption.isInterrupted {
            run.report.notStarted = "not started: the run was interrupted"
        } else if let connection = run.connect() {
            run.connections = [connection]
            run.converge()
            run.report.execs = run.connections.reduce(0) { $0 + $1.execCount }
        }
        run.report.seconds = Date().timeIntervalSince(run.started)
        return run.report.redacting(target.host.secretValues)
    }

    // MARK: connecting

    /// Connects, retrying with backoff (0.5 s, 1 s, 2 s, ...) when the host did not answer or
    /// refused the connection; never after a host-key or authentication failure.
    mutating func connect() -> (any Connector)? {
        var attempt = 0
        while true {
            do {
                return try options.connectors.connect(target.host, connectOptions(acceptNewHostKey: options.acceptNewHostKeys))
            } catch {
                let retryable = error.kind == .connect || error.kind == .timeout
                let backoff = 0.5 * Double(1 << min(attempt, 6))
                guard retryable, attempt < options.connectRetries, !options.interruption.isInterrupted, remaining > backoff else {
                    report.unreachable = error.message + (attempt > 0 ? " (after \(attempt + 1) attempts)" : "")
                    return nil
                }
                attempt += 1
                Thread.sleep(forTimeInterval: backoff)
            }
        }
    }

    /// How the host is connected to: the controller waits on any one script for the command's
    /// own limit on the host plus a grace period, so the host's `timeout` normally speaks first.
    func connectOptions(acceptNewHostKey: Bool = false) -> ConnectOptions {
        ConnectOptions(connectTimeout: options.connectTimeout, commandTimeout: options.commandTimeout + .seconds(15), acceptNewHostKey: acceptNewHostKey)
    }

    /// Seconds left before the host's deadline (`--host-timeout`).
    var remaining: Double {
        guard let limit = options.hostTimeout else { return .infinity }
        return Double(limit.components.seconds) - Date().timeIntervalSince(started)
    }

    /// A script as the host runs it: as root, stopped by `timeout` after the command limit or
    /// what is left of the host's, whichever is less (then killed 5 s later if it lingers).
    func bounded(_ script: String) -> (script: String, seconds: Int) {
        let seconds = max(1, Int(min(Double(options.commandTimeout.components.seconds), remaining.rounded(.down))))
        return ("exec timeout -k 5 \(seconds) sh -c \(Shell.quote(script))", seconds)
    }

    static func timedOut(_ status: Int32) -> Bool { status == 124 || status == 137 }

    // MARK: converging

    /// check and plan read the host under its shared lock, in their one probe exec. apply does
    /// the same first; when nothing must change, that was the whole run (one exec, the host
    /// never locked against others). Otherwise it takes the exclusive lock for the rest of the
    /// run and probes again under it, so it fixes what the host holds now, not what another run
    /// may have changed in between.
    mutating func converge() {
        let connection = connections[0]
        guard let probed = probe(over: connection, lock: options.mode == .apply ? .sharedNoticingStale : .shared) else { return }
        let comparisons = comparisons(of: probed)
        guard options.mode == .apply, probed.staleHolder != nil || comparisons.contains(where: { if case .change = $0 { true } else { false } }) else {
            runHandlers(compareAndFix(probed, comparisons))
            return
        }
        guard let lock = takeLock(over: connection) else { return }
        defer { lock.release() }
        guard let locked = probe(over: connection, lock: .exclusiveHeld) else { return }
        runHandlers(compareAndFix(locked, self.comparisons(of: locked)))
    }

    /// Each resource's desired state against its probed one. When applying, a resource that
    /// runs whenever its state cannot be known (an unguarded command) counts as a change.
    func comparisons(of probed: Probed) -> [Comparison] {
        zip(target.playbook.resources, probed.states).map { resource, state in
            let comparison = state.map { resource.compare(probed: $0) } ?? .unknown("the probe printed no output for it")
            if case .unknown(let reason) = comparison, options.mode == .apply, resource.appliesWhenUnknown { return .change("run (\(reason))") }
            return comparison
        }
    }

    mutating func takeLock(over connection: any Connector) -> (any HeldCommand)? {
        do {
            let holder = "\(options.holder), since \(Date().formatted(.iso8601))"
            let attempt = try connection.hold(HostLock.exclusive(holderText: holder), ready: HostLock.heldMarker)
            let lines = attempt.lines
            if let stale = HostLock.value(after: HostLock.staleMarker, in: lines) {
                report.warnings.append("a previous run ended without releasing this host's lock (\(stale)): its changes may be incomplete")
            }
            if let held = attempt.held { return held }
            if let holder = HostLock.value(after: HostLock.lockedMarker, in: lines) {
                report.locked = holder
            } else {
                report.unreachable = "cannot take the host lock (exit \(attempt.status)): \(attempt.lines.joined(separator: "\n").suffix(500))"
            }
        } catch {
            report.unreachable = "cannot take the host lock: \(error.message)"
        }
        return nil
    }

    /// Each resource's probed state (nil where missing or garbled) and, with --diff, current
    /// contents; who left the host's lock record behind, when the probe looked for one.
    struct Probed {
        var states: [String?]
        var contents: [Int: String]
        var staleHolder: String?
    }

    /// How a probe stands to the host's lock.
    enum ProbeLock {
        /// Taken shared in the probe (check, plan).
        case shared
        /// Taken shared, and a record left by a run that died with the lock reported: apply's
        /// first look, which must then go on under the exclusive lock to report and clear it.
        case sharedNoticingStale
        /// Already held exclusively over another channel (apply, once it must change something).
        case exclusiveHeld
    }

    /// One exec for all resources' probes (and, with --diff, their contents).
    mutating func probe(over connection: any Connector, lock: ProbeLock) -> Probed? {
        let preamble = switch lock {
        case .shared: HostLock.sharedPreamble
        case .sharedNoticingStale: HostLock.sharedPreamble + HostLock.staleNotice
        case .exclusiveHeld: ""
        }
        let (script, seconds) = bounded(preamble + probeScript.text)
        let result: CommandResult
        do {
            result = try connection.executeAsRoot(script)
        } catch {
            report.unreachable = "probe failed: \(error.message)"
            return nil
        }
        if Self.timedOut(result.status) {
            report.unreachable = "the probe script did not finish within \(seconds) s (stopped on the host)"
            return nil
        }
        return interpret(result)
    }

    /// What the probe script's output says, split per resource; nil (with the reason in the
    /// report) when the host is locked or the script did not run at all.
    mutating func interpret(_ result: CommandResult) -> Probed? {
        let reading = probeScript.read(result.stdout)
        if let holder = HostLock.value(after: HostLock.lockedMarker, in: reading.unframed) {
            report.locked = holder
            return nil
        }
        // Not one section: the script never ran (sudo refused, no POSIX shell). The state is
        // unknown, and that is the host's problem, not each resource's.
        if !target.playbook.resources.isEmpty, !reading.anySection {
            let reason = (result.stderr + result.stdout).trimmingCharacters(in: .whitespacesAndNewlines)
            report.unreachable = "the probe script did not run (exit \(result.status)): \(reason.suffix(500))"
            return nil
        }
        var contents: [Int: String] = [:]
        for (offset, index) in contentIndices.enumerated() {
            contents[index] = reading.contents[offset].flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
        report.probeCost = reading.cost
        return Probed(states: reading.states, contents: contents, staleHolder: HostLock.value(after: HostLock.staleMarker, in: reading.unframed))
    }

    /// What check or plan reports for a host whose probe script printed `output` (recorded
    /// earlier, or simulated): the same split and compare as a live run, with no connection.
    static func evaluate(_ target: Engine.Target, probeOutput output: String, options: Engine.Options) -> HostReport {
        precondition(options.mode != .apply, "evaluating recorded output never changes anything")
        var run = HostRun(target, options: options)
        if let probed = run.interpret(CommandResult(status: 0, stdout: output, stderr: "")) {
            _ = run.compareAndFix(probed, run.comparisons(of: probed))
        }
        return run.report.redacting(target.host.secretValues)
    }

    /// Reports every resource's comparison; when applying, fixes what differs in order until one fails
    /// (the rest are skipped). Returns the handlers that changed resources notify.
    mutating func compareAndFix(_ probed: Probed, _ comparisons: [Comparison]) -> [String] {
        let secrets = target.host.secretValues.filter { !$0.isEmpty }
        var notified: [String] = []
        var stopped: String?
        for (index, resource) in target.playbook.resources.enumerated() {
            var outcome = ResourceOutcome(kind: resource.kind, name: resource.name, state: .inSync)
            let comparison = comparisons[index]
            if case .change = comparison, let current = probed.contents[index], let desired = resource.desiredContent {
                // Content that carries a secret var is sensitive whether or not the role said so.
                let sensitive = resource.sensitive || secrets.contains { desired.contains($0) || current.contains($0) }
                outcome.diff = sensitive ? "(sensitive content: diff hidden)\n"
                    : UnifiedDiff.diff(old: current, new: desired, oldName: "a\(resource.name)", newName: "b\(resource.name)")
            }
            if case .change = comparison, stopped == nil, options.mode == .apply {
                if options.interruption.isInterrupted { stopped = "the run was interrupted before this change" }
                else if remaining < 1 { stopped = "the host's time limit (--host-timeout) was reached before this change" }
            }
            switch comparison {
            case .inSync:
                break
            case .unknown(let reason):
                outcome.state = .unknown(reason)
            case .change(let summary) where options.mode != .apply:
                outcome.state = .drift(summary)
            case .change(let summary) where stopped != nil:
                outcome.state = .skipped("\(summary) (\(stopped!))")
            case .change(let summary):
                guard let current = connections.last else { preconditionFailure("apply needs a connection") }
                options.changing?(target.host.name, Secret.mask(outcome.id, hiding: secrets))
                outcome.state = fix(resource, summary: summary, over: current)
                if case .changed = outcome.state, let confirmation = resource.confirmation {
                    switch confirm(confirmation, window: resource.confirmationWindow) {
                    case .success(let fresh): connections.append(fresh)
                    case .failure(let failure): outcome.state = .failed(failure.reason)
                    }
                }
                if case .changed = outcome.state {
                    notified += resource.notifies.filter { !notified.contains($0) }
                } else {
                    stopped = "an earlier resource failed"
                }
            }
            report.resources.append(outcome)
        }
        // The handlers of what did change run even after a failure or an interruption: the
        // next apply would find those resources in sync and never notify them again.
        return notified
    }

    /// Confirms a guarded change over a new connection; when the host cannot be reached that
    /// way, it rolls the change back by itself, and the outcome says so.
    func confirm(_ confirmation: String, window: Int) -> Result<any Connector, ConfirmationFailure> {
        do {
            let fresh = try options.connectors.connect(target.host, connectOptions())
            let result = try fresh.executeAsRoot(confirmation)
            if result.status == 0 { return .success(fresh) }
            return .failure(ConfirmationFailure(reason: "the change could not be confirmed: \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))"))
        } catch {
            return .failure(ConfirmationFailure(reason: """
                the host could not be reached again after the change (\(error.message)): it restores its previous \
                configuration by itself within \(window) s of the change
                """))
        }
    }

    struct ConfirmationFailure: Error {
        var reason: String
    }

    /// Runs a fix or handler script as root, bounded on the host; nil when it succeeded, else
    /// what went wrong (the end of its output).
    func runBounded(_ command: String, input: String? = nil, over connection: any Connector, tail: Int) throws(ConnectionError) -> String? {
        let (script, seconds) = bounded("set -e\n" + command)
        let result = try connection.executeAsRoot(script, input: input)
        if result.status == 0 { return nil }
        if Self.timedOut(result.status) { return "did not finish within \(seconds) s (stopped on the host)" }
        return "exit \(result.status): \((result.stderr + result.stdout).suffix(tail))"
    }

    func fix(_ resource: any Resource, summary: String, over connection: any Connector) -> ResourceOutcome.State {
        do {
            return try runBounded(resource.fix, input: resource.fixInput, over: connection, tail: 1000).map { .failed($0) } ?? .changed(summary)
        } catch {
            // A guarded change may have cut the connection it was made over: the host undoes it.
            let guarded = resource.confirmation == nil ? "" : "; the host restores its previous configuration by itself within \(resource.confirmationWindow) s of the change"
            return .failed(error.message + guarded)
        }
    }

    mutating func runHandlers(_ names: [String]) {
        guard let connection = connections.last else { return }
        for name in names {
            guard let handler = target.playbook.handlers.first(where: { $0.name == name }) else {
                report.handlerFailures.append("\(name): no such handler")
                continue
            }
            do {
                if let failure = try runBounded(handler.command, over: connection, tail: 500) {
                    report.handlerFailures.append("\(name): \(failure)")
                } else {
                    report.handlersRun.append(name)
                }
            } catch {
                report.handlerFailures.append("\(name): \(error.message)")
            }
        }
    }
}
