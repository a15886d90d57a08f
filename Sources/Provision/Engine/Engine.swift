import Foundation

/// Converges hosts: per host connect, run the one batched probe script, compare, and (when
/// applying) run the fixes of what differs in order, then the notified handlers once each.
/// A host's failure stops that host, not the others. Hosts run on their own threads (libssh2
/// calls block), at most `concurrency` at once, each with its own SSH session.
public enum Engine {
    public enum Mode: String, Sendable { case check, plan, apply }

    public struct Options: Sendable {
        public var mode: Mode
        public var concurrency: Int
        public var acceptNewHostKeys: Bool
        public var connectTimeout: Duration
        /// Rolling runs: hosts per batch (all at once when nil).
        public var batch: Share?
        /// Stop starting new batches once more than this share of the hosts so far failed.
        public var maxFail: Share?
        /// Read current file contents too (same exec) and report unified diffs.
        public var diff: Bool
        /// Who this run is, as a host's lock record says it (`ctl-1 pid 4242 ops: provision apply`).
        public var holder: String

        public init(mode: Mode, concurrency: Int = 50, acceptNewHostKeys: Bool = false, connectTimeout: Duration = .seconds(10),
                    batch: Share? = nil, maxFail: Share? = nil, diff: Bool = false,
                    holder: String = "\(ProcessInfo.processInfo.hostName) pid \(getpid())") {
            self.mode = mode
            self.concurrency = concurrency
            self.acceptNewHostKeys = acceptNewHostKeys
            self.connectTimeout = connectTimeout
            self.batch = batch
            self.maxFail = maxFail
            self.diff = diff
            self.holder = holder
        }
    }

    /// `N` hosts or `N%` of them, as `--batch` and `--max-fail` take it.
    public enum Share: Sendable, Equatable {
        case count(Int)
        case percent(Int)

        public init?(_ text: String) {
            if text.hasSuffix("%"), let value = Int(text.dropLast()), (0...100).contains(value) { self = .percent(value) }
            else if let value = Int(text), value >= 0 { self = .count(value) }
            else { return nil }
        }

        /// The number of hosts out of `total` (a percentage rounds up, so 10% of 5 is 1).
        public func of(_ total: Int) -> Int {
            switch self {
            case .count(let value): value
            case .percent(let value): (total * value + 99) / 100
            }
        }
    }

    public struct Target: Sendable {
        public var host: Host
        public var playbook: HostPlaybook

        public init(host: Host, playbook: HostPlaybook) {
            self.host = host
            self.playbook = playbook
        }
    }

    /// Runs every target, in rolling batches when asked; once failures pass `maxFail`, the
    /// remaining batches are not started and their hosts are reported as such.
    public static func run(_ targets: [Target], options: Options, progress: @escaping @Sendable (HostReport) -> Void = { _ in }) -> [HostReport] {
        let size = max(1, options.batch?.of(targets.count) ?? targets.count)
        var reports: [HostReport] = []
        var start = 0
        while start < targets.count {
            let batch = Array(targets[start..<min(start + size, targets.count)])
            reports += runBatch(batch, options: options, progress: progress)
            start += batch.count
            let failures = reports.filter { $0.unreachable != nil || !$0.failed.isEmpty }.count
            if let limit = options.maxFail, start < targets.count, failures > limit.of(targets.count) {
                reports += targets[start...].map { HostReport(host: $0.host.name, notStarted: "not started: \(failures) of \(start) hosts failed, more than --max-fail allows") }
                break
            }
        }
        return reports
    }

    static func runBatch(_ targets: [Target], options: Options, progress: @escaping @Sendable (HostReport) -> Void) -> [HostReport] {
        let reports = UnsafeSlots<HostReport>(count: targets.count)
        let next = NextIndex()
        let done = DispatchGroup()
        for _ in 0..<max(1, min(options.concurrency, targets.count)) {
            done.enter()
            let worker = Thread {
                while let index = next.take(below: targets.count) {
                    let report = converge(targets[index], options: options)
                    reports[index] = report
                    progress(report)
                }
                done.leave()
            }
            worker.stackSize = 1 << 20
            worker.start()
        }
        done.wait()
        return reports.values
    }

    static func converge(_ target: Target, options: Options) -> HostReport {
        let started = Date()
        let host = target.host
        var report = HostReport(host: host.name)
        let connection: SSHConnection
        do {
            connection = try SSHConnection(.init(for: host, connectTimeout: options.connectTimeout, acceptNewHostKey: options.acceptNewHostKeys))
        } catch {
            report.unreachable = error.message
            report.seconds = Date().timeIntervalSince(started)
            return report
        }
        // apply holds the host's lock for the whole run; check and plan take it in the probe.
        var lock: SSHConnection.HeldCommand?
        if options.mode == .apply {
            do {
                let since = Date().formatted(.iso8601)
                let attempt = try connection.hold(HostLock.exclusive(holderText: "\(options.holder), since \(since)"), ready: HostLock.heldMarker)
                let lines = attempt.lines.map { Substring($0) }
                if let stale = HostLock.staleHolder(lines) {
                    report.warnings.append("a previous run ended without releasing this host's lock (\(stale)): its changes may be incomplete")
                }
                guard let held = attempt.held else {
                    if let holder = HostLock.lockedBy(lines) {
                        report.locked = holder
                    } else {
                        report.unreachable = "cannot take the host lock (exit \(attempt.status)): \(attempt.lines.joined(separator: "\n").suffix(500))"
                    }
                    report.execs = connection.execCount
                    report.seconds = Date().timeIntervalSince(started)
                    return report.redacting(target.host.secretValues)
                }
                lock = held
            } catch {
                report.unreachable = "cannot take the host lock: \(error.message)"
                report.seconds = Date().timeIntervalSince(started)
                return report
            }
        }
        inspectAndFix(target, over: connection, options: options, into: &report)
        lock?.release()
        report.execs = connection.execCount
        report.seconds = Date().timeIntervalSince(started)
        return report.redacting(target.host.secretValues)
    }

    /// One probe exec for all resources; then, when applying, one exec per fix and per handler.
    static func inspectAndFix(_ target: Target, over connection: SSHConnection, options: Options, into report: inout HostReport) {
        let resources = target.playbook.resources
        // With --diff, content probes ride along in the same script, after the state probes.
        let contentIndices = options.diff ? resources.indices.filter { resources[$0].contentProbe != nil } : []
        let probes = resources.map(\.probe) + contentIndices.map { resources[$0].contentProbe! }
        let sections: [ProbeScript.Section?]
        var contents: [Int: String] = [:]
        do {
            // Under apply the lock is already held, exclusively.
            let preamble = options.mode == .apply ? "" : HostLock.sharedPreamble
            let result = try connection.executeAsRoot(preamble + ProbeScript.script(probes: probes))
            if let holder = HostLock.lockedBy(result.stdout.split(separator: "\n")) {
                report.locked = holder
                return
            }
            let all = ProbeScript.split(result.stdout, count: probes.count)
            // Not one section: the script never ran (sudo refused, no POSIX shell). The state
            // is unknown, and that is the host's problem, not each resource's.
            if !probes.isEmpty, all.allSatisfy({ $0 == nil }) {
                let reason = (result.stderr + result.stdout).trimmingCharacters(in: .whitespacesAndNewlines)
                report.unreachable = "the probe script did not run (exit \(result.status)): \(reason.suffix(500))"
                return
            }
            sections = Array(all.prefix(resources.count))
            for (offset, index) in contentIndices.enumerated() {
                contents[index] = all[resources.count + offset].flatMap { Data(base64Encoded: $0.output) }.map { String(decoding: $0, as: UTF8.self) } ?? ""
            }
        } catch {
            report.unreachable = "probe failed: \(error.message)"
            return
        }

        let secrets = target.host.secretValues.filter { !$0.isEmpty }
        var notified: [String] = []
        var stopped = false
        for (index, (resource, section)) in zip(resources, sections).enumerated() {
            var outcome = ResourceOutcome(kind: resource.kind, name: resource.name, state: .inSync)
            var comparison: Comparison = section.map { resource.compare(probed: $0.output) }
                ?? .unknown("the probe printed no output section for it")
            if case .unknown(let reason) = comparison, options.mode == .apply, resource.appliesWhenUnknown {
                comparison = .change("run (\(reason))")
            }
            if case .change = comparison, let current = contents[index], let desired = resource.desiredContent {
                // Content that carries a secret var is sensitive whether or not the role said so.
                let sensitive = resource.sensitive || secrets.contains { desired.contains($0) || current.contains($0) }
                outcome.diff = sensitive ? "(sensitive content: diff hidden)\n"
                    : UnifiedDiff.diff(old: current, new: desired, oldName: "a\(resource.name)", newName: "b\(resource.name)")
            }
            switch comparison {
            case .inSync:
                break
            case .unknown(let reason):
                outcome.state = .unknown(reason)
            case .change(let summary) where stopped:
                outcome.state = .skipped(summary)
            case .change(let summary) where options.mode != .apply:
                outcome.state = .drift(summary)
            case .change(let summary):
                do {
                    let result = try connection.executeAsRoot("set -e\n" + resource.fix, input: resource.fixInput)
                    if result.status == 0 {
                        outcome.state = .changed(summary)
                        notified += resource.notifies.filter { !notified.contains($0) }
                    } else {
                        outcome.state = .failed("exit \(result.status): \((result.stderr + result.stdout).suffix(1000))")
                        stopped = true
                    }
                } catch {
                    outcome.state = .failed(error.message)
                    stopped = true
                }
            }
            report.resources.append(outcome)
        }
        for name in notified where !stopped {
            guard let handler = target.playbook.handlers.first(where: { $0.name == name }) else {
                report.handlerFailures.append("\(name): no such handler")
                continue
            }
            do {
                let result = try connection.executeAsRoot("set -e\n" + handler.command)
                if result.status == 0 { report.handlersRun.append(name) } else {
                    report.handlerFailures.append("\(name): exit \(result.status): \((result.stderr + result.stdout).suffix(500))")
                }
            } catch {
                report.handlerFailures.append("\(name): \(error.message)")
            }
        }
    }
}

/// Hands out indices 0, 1, 2, ... to worker threads.
final class NextIndex: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}
