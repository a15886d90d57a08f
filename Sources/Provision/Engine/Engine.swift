import Foundation

/// Converges hosts, each through a `HostRun` (connect, the one probe script, compare, fixes in
/// order, handlers once). A host's failure stops that host, not the others. Hosts run on their
/// own threads (connectors block), at most `concurrency` at once, each with its own
/// connection, in rolling batches when asked.
public enum Engine {
    public enum Mode: String, Sendable { case check, plan, apply }

    public struct Options: Sendable {
        public var mode: Mode
        /// How each host is reached.
        public var connectors: ConnectorFactory
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
        /// Connection attempts after the first, with backoff, when a host does not answer.
        public var connectRetries: Int
        /// Any one remote script (probe, fix, handler) is stopped on the host after this long.
        public var commandTimeout: Duration
        /// The whole of a host's run; no new change starts after it.
        public var hostTimeout: Duration?
        /// Set by the controller's signal handling: stop starting work.
        public var interruption: Interruption
        /// Told of each change as it starts (host, `kind:name` with the host's secrets masked:
        /// a command's name is its text), for progress on long applies (`up` prints them: a
        /// first converge installs for many minutes).
        public var changing: (@Sendable (_ host: String, _ resource: String) -> Void)? = nil

        public init(mode: Mode, connectors: ConnectorFactory, concurrency: Int = 50, acceptNewHostKeys: Bool = false, connectTimeout: Duration = .seconds(10),
                    batch: Share? = nil, maxFail: Share? = nil, diff: Bool = false,
                    holder: String = "\(ProcessInfo.processInfo.hostName) pid \(getpid())",
                    connectRetries: Int = 2, commandTimeout: Duration = .seconds(600), hostTimeout: Duration? = nil,
                    interruption: Interruption = Interruption()) {
            self.mode = mode
            self.connectors = connectors
            self.concurrency = concurrency
            self.acceptNewHostKeys = acceptNewHostKeys
            self.connectTimeout = connectTimeout
            self.batch = batch
            self.maxFail = maxFail
            self.diff = diff
            self.holder = holder
            self.connectRetries = connectRetries
            self.commandTimeout = commandTimeout
            self.hostTimeout = hostTimeout
            self.interruption = interruption
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
    /// remaining batches are not started and their hosts are reported as such. Blocks until
    /// every host is done: from async code, call it through `DedicatedThread.run` (as
    /// `ConvergeRun` does).
    public static func run(_ targets: [Target], options: Options, progress: @escaping @Sendable (HostReport) -> Void = { _ in }) -> [HostReport] {
        RollingBatches.run(targets, batch: options.batch, maxFail: options.maxFail, concurrency: options.concurrency,
                           work: { (target: Target) -> HostReport in
                               let report = HostRun.run(target, options: options)
                               progress(report)
                               return report
                           },
                           failed: { $0.unreachable != nil || !$0.failed.isEmpty },
                           notStarted: { HostReport(host: $0.host.name, notStarted: $1) })
    }

    /// What check or plan would report for a host whose batched probe printed `probeOutput`
    /// (recorded from a real host): the live run's split and compare, with no connection. For
    /// replaying a host's state and for measuring the plan computation apart from the network.
    public static func evaluate(_ target: Target, probeOutput: String, options: Options) -> HostReport {
        HostRun.evaluate(target, probeOutput: probeOutput, options: options)
    }
}
