import Foundation

/// One run of check, plan or apply as the reports and the history see it: what ran, when,
/// for how long, and each host's outcome.
public struct RunSummary: Sendable {
    public var mode: Engine.Mode
    public var startedAt: Date
    public var seconds: Double
    public var hosts: [HostReport]
    /// The signal (SIGINT, SIGTERM) that stopped the run before every host was done.
    public var interruptedBy: Int32?

    public init(mode: Engine.Mode, startedAt: Date, seconds: Double, hosts: [HostReport], interruptedBy: Int32? = nil) {
        self.mode = mode
        self.startedAt = startedAt
        self.seconds = seconds
        self.hosts = hosts
        self.interruptedBy = interruptedBy
    }

    public var interrupted: Bool { interruptedBy != nil }

    /// The hosts' combined status; an interrupted run's is the shell's 128 + the signal.
    public var exitStatus: ExitStatus { interruptedBy.map(ExitStatus.interrupted(by:)) ?? .of(hosts) }
}

extension ResourceOutcome.State {
    /// The state's name in reports and the history (`in_sync`, `drift`, ...), and its detail.
    public var nameAndDetail: (name: String, detail: String?) {
        switch self {
        case .inSync: ("in_sync", nil)
        case .drift(let what): ("drift", what)
        case .changed(let what): ("changed", what)
        case .failed(let why): ("failed", why)
        case .unknown(let why): ("unknown", why)
        case .skipped(let what): ("skipped", what)
        }
    }
}
