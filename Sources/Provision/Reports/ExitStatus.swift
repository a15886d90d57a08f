/// How every command ends, and the one place outcomes become an exit status: 0 all is well,
/// 2 changes made or drift found, 1 a failure, 4 a host or BMC unreachable (these three are
/// bits and add up: 6 is drift + unreachable), 64 bad input with nothing touched, and the
/// shell's 128 + N for a run stopped by signal N.
public struct ExitStatus: Sendable, Equatable, CustomStringConvertible {
    public var code: Int32

    public init(_ code: Int32) { self.code = code }

    public static let success = ExitStatus(0)
    public static let failed = ExitStatus(1)
    public static let changes = ExitStatus(2)
    public static let unreachable = ExitStatus(4)
    public static let invalidInput = ExitStatus(64)

    public static func interrupted(by signal: Int32) -> ExitStatus { ExitStatus(128 + signal) }

    public var description: String { String(code) }

    /// Both outcomes' bits (failed, changes, unreachable).
    public func union(_ other: ExitStatus) -> ExitStatus { ExitStatus(code | other.code) }

    /// A converge run's hosts: 2 changes made or drift found, 1 a resource or handler failed
    /// (or hosts were left out because too many failed, or locked by another run), 4 a host
    /// unreachable.
    public static func of(_ reports: [HostReport]) -> ExitStatus {
        reports.reduce(.success) { status, report in
            var status = status
            if report.unreachable != nil { status = status.union(.unreachable) }
            if report.notStarted != nil || report.locked != nil { status = status.union(.failed) }
            if !report.failed.isEmpty || !report.handlerFailures.isEmpty { status = status.union(.failed) }
            if !report.drifted.isEmpty || !report.changed.isEmpty { status = status.union(.changes) }
            return status
        }
    }

    /// A bring-up: 1 for a failed stage, 4 for an unreachable BMC or SSH server.
    public static func of(_ outcomes: [BringUp.Outcome]) -> ExitStatus {
        outcomes.reduce(.success) { status, outcome in
            guard outcome.failure != nil else { return status }
            return status.union(outcome.unreachable ? .unreachable : .failed)
        }
    }
}
