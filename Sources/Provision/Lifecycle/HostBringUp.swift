import Foundation

/// One host's part of `provision up`: from its resume point, each stage in turn, recorded in
/// the install state as it starts and as it ends (outcome, reason, seconds), until the host is
/// ready or a stage fails. Blocking throughout (libcurl, the connector): runs on a thread of its own.
struct HostBringUp {
    let target: Engine.Target
    let bringUp: BringUp
    let progress: @Sendable (String) -> Void
    /// Made at the first BMC stage, kept for the next one.
    private var bmcClient: RedfishClient?

    init(target: Engine.Target, bringUp: BringUp, progress: @escaping @Sendable (String) -> Void) {
        self.target = target
        self.bringUp = bringUp
        self.progress = progress
    }

    /// What one stage came to.
    enum StageResult {
        case done(String)
        case failed(String, unreachable: Bool)
        /// SIGINT/SIGTERM: the stage stays recorded as running, so the next `up` resumes it.
        case interrupted
    }

    private var host: Host { target.host }
    private var store: InstallStateStore { bringUp.lifecycle.store }
    private var options: BringUp.Options { bringUp.options }

    func run() -> BringUp.Outcome {
        var copy = self
        do {
            return try copy.stages()
        } catch {
            return BringUp.Outcome(host: host.name, stage: .arm, failure: "the state file \(store.path): \(error)")
        }
    }

    private mutating func stages() throws -> BringUp.Outcome {
        let name = host.name
        let record = try store.record(host: name)
        var stage = BringUp.resumePoint(record, reinstall: options.reinstall)
        if stage == .ready {
            progress("\(name): ready already (brought up \(record.stageAt.map { "at \($0.formatted(.iso8601))" } ?? "before")); nothing to do (--reinstall installs it again)")
            return BringUp.Outcome(host: name, stage: .ready, alreadyReady: true)
        }
        let began = ContinuousClock.now
        let first = stage
        let resumed = first == .arm ? "" : " (resuming: \(record.phase.rawValue)\(record.stage.map { ", last stage \($0.rawValue)" } ?? ""))"
        while stage != .ready {
            if options.converge.interruption.isInterrupted {
                return BringUp.Outcome(host: name, stage: stage, failure: "interrupted before \(stage.rawValue)")
            }
            progress("\(name): \(stage.rawValue): \(activity(stage))\(stage == first ? resumed : "")")
            try store.beginStage(stage, host: name)
            let started = ContinuousClock.now
            let result = perform(stage)
            let seconds = Self.seconds(since: started)
            switch result {
            case .done(let detail):
                try store.endStage(stage, host: name, outcome: .done, detail: detail, seconds: seconds)
            case .failed(var reason, let unreachable):
                // The BMC did not restart the host: disarmed again, so that no later network
                // boot of it starts an install nobody waits for.
                if stage == .pxeOnce || stage == .powerCycle {
                    try bringUp.lifecycle.disarm([host])
                    reason += "; disarmed again"
                }
                try store.endStage(stage, host: name, outcome: .failed, detail: reason, seconds: seconds)
                progress("\(name): \(stage.rawValue) FAILED after \(Self.format(seconds)) s: \(reason)")
                return BringUp.Outcome(host: name, stage: stage, failure: reason, unreachable: unreachable)
            case .interrupted:
                progress("\(name): \(stage.rawValue) interrupted; the next `provision up` resumes here")
                return BringUp.Outcome(host: name, stage: stage, failure: "interrupted during \(stage.rawValue)")
            }
            stage = stage.next ?? .ready
        }
        let total = Self.seconds(since: began)
        try store.endStage(.ready, host: name, outcome: .done, detail: "brought up in \(Self.format(total)) s", seconds: total)
        progress("\(name): ready (\(Self.format(total)) s)")
        return BringUp.Outcome(host: name, stage: .ready)
    }

    /// What the progress line says a stage does.
    private func activity(_ stage: BringUpStage) -> String {
        switch stage {
        case .arm: "arming: its next network boot installs it"
        case .pxeOnce: "asking the BMC for one network boot"
        case .powerCycle: "asking the BMC for a power cycle"
        case .install: "waiting for the installer's callback (at most \(Self.format(options.installTimeout)) s)"
        case .ssh: "waiting for a verified SSH login (at most \(Self.format(options.sshTimeout)) s)"
        case .converge: "applying its roles (\(host.roles.joined(separator: ", ")))"
        case .ready: "ready"
        }
    }

    private mutating func perform(_ stage: BringUpStage) -> StageResult {
        switch stage {
        case .arm:
            do {
                try bringUp.lifecycle.arm([host])
                return .done("armed")
            } catch {
                return .failed("cannot arm: \(error)", unreachable: false)
            }
        case .pxeOnce:
            let firmware = host.firmware
            return withBMC { client throws(RedfishError) in
                try client.bootFromNetworkOnce(firmware: firmware)
                return "next boot only: \(firmware == .uefi ? "UEFI" : "legacy BIOS") PXE"
            }
        case .powerCycle:
            return withBMC { client throws(RedfishError) in
                let outcome = try client.change(.cycle)
                return "was \(outcome.before.rawValue); the BMC accepted \(outcome.requested?.rawValue ?? "nothing")"
            }
        case .install:
            return waitForInstall()
        case .ssh:
            return waitForSSH()
        case .converge:
            return converge()
        case .ready:
            return .done("ready")
        }
    }

    /// A request to the host's BMC; not answering, TLS and authentication count as unreachable.
    private mutating func withBMC(_ request: (RedfishClient) throws(RedfishError) -> String) -> StageResult {
        guard let bmc = host.bmc else { return .failed("no 'bmc' in the inventory", unreachable: false) }
        do throws(RedfishError) {
            let client: RedfishClient
            if let bmcClient {
                client = bmcClient
            } else {
                client = try RedfishClient(bmc: bmc, options: options.redfish, logger: bringUp.logger)
                bmcClient = client
            }
            return .done(try request(client))
        } catch {
            let unreachable: [RedfishError.Kind] = [.unreachable, .timeout, .tls, .authentication]
            return .failed("BMC: \(error)", unreachable: unreachable.contains(error.kind))
        }
    }

    /// The install server (in this process or another sharing the state file) records the
    /// callback; this reads the state until it is there.
    private func waitForInstall() -> StageResult {
        let deadline = ContinuousClock.now + options.installTimeout
        while true {
            let record: InstallRecord
            do { record = try store.record(host: host.name) } catch { return .failed("cannot read the state file: \(error)", unreachable: false) }
            switch record.phase {
            case .installed: return .done(record.hostKey == nil ? "installed; no host key came with the callback" : "installed; the callback brought the host key")
            case .failed: return .failed("the installer reported a failure", unreachable: false)
            case .ready: return .failed("the host was disarmed while its install was awaited", unreachable: false)
            case .armed, .installing: break
            }
            if options.converge.interruption.isInterrupted { return .interrupted }
            guard ContinuousClock.now < deadline else {
                let state = record.phase == .installing ? "it fetched its install file but never called back" : "it never fetched its install file"
                return .failed("no install callback within \(Self.format(options.installTimeout)) s (\(state)); still armed: its next network boot installs it",
                               unreachable: false)
            }
            Self.pause(options.pollInterval, before: deadline)
        }
    }

    /// Puts the host key its installer reported in known_hosts, then logs in until the host
    /// (rebooting, starting sshd) lets us: a host that does not answer yet is tried again, one
    /// whose key or login is refused fails at once (that will not pass by waiting).
    private func waitForSSH() -> StageResult {
        let reported: String?
        do {
            reported = try store.record(host: host.name).hostKey
            if let reported { try bringUp.lifecycle.trust(try SSHHostKey(line: reported), of: host) }
        } catch {
            return .failed("cannot put the host key its installer reported in known_hosts: \(error)", unreachable: false)
        }
        let deadline = ContinuousClock.now + options.sshTimeout
        var lastError = ""
        while true {
            let remaining = deadline - ContinuousClock.now
            do {
                _ = try options.converge.connectors.connect(host, ConnectOptions(connectTimeout: max(.seconds(1), min(.seconds(10), remaining))))
                return .done("logged in as \(host.ssh.user), the host key verified against \(reported == nil ? "known_hosts (its installer reported none)" : "the one its installer reported")")
            } catch {
                switch error.kind {
                case .connect, .timeout, .handshake:
                    lastError = error.message
                case .hostKeyUnknown where reported == nil:
                    return .failed("\(error.message); its installer reported no host key with the callback", unreachable: true)
                default:
                    return .failed(error.message, unreachable: true)
                }
            }
            if options.converge.interruption.isInterrupted { return .interrupted }
            guard ContinuousClock.now < deadline else {
                return .failed("no SSH login within \(Self.format(options.sshTimeout)) s: \(lastError)", unreachable: true)
            }
            Self.pause(options.pollInterval, before: deadline)
        }
    }

    private func converge() -> StageResult {
        let started = Date()
        var converge = options.converge
        let progress = self.progress
        converge.changing = { host, resource in progress("\(host): converge: \(resource)") }
        guard let report = Engine.run([target], options: converge).first else { return .done("nothing to apply") }
        // An apply like any other: `provision history` shows what the first converge changed.
        let run = RunSummary(mode: .apply, startedAt: started, seconds: Date().timeIntervalSince(started), hosts: [report])
        do {
            try RunHistoryStore(path: store.path).record(run, by: .current)
        } catch {
            bringUp.logger.warning("\(host.name): the converge is not in the run history: \(error)")
        }
        if let reason = report.unreachable { return .failed(reason, unreachable: true) }
        if let holder = report.locked { return .failed("another run holds the host's lock: \(holder)", unreachable: false) }
        if report.notStarted != nil { return .interrupted }
        let failures = report.failed.map { "\($0.id): \($0.state.nameAndDetail.detail ?? "")" } + report.handlerFailures.map { "handler \($0)" }
        if !failures.isEmpty { return .failed(failures.joined(separator: "; "), unreachable: false) }
        return .done("\(report.changed.count) changed, \(report.resources.count - report.changed.count) in sync")
    }

    private static func pause(_ interval: Duration, before deadline: ContinuousClock.Instant) {
        Thread.sleep(forTimeInterval: min(interval, max(.zero, deadline - ContinuousClock.now)) / .seconds(1))
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        (ContinuousClock.now - start) / .seconds(1)
    }

    private static func format(_ seconds: Double) -> String { String(format: "%.1f", seconds) }
    private static func format(_ duration: Duration) -> String { String(duration.components.seconds) }
}
