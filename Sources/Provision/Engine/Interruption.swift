import Foundation

/// Set when the controller is asked to stop (SIGINT, SIGTERM): the engine then starts no new
/// host and no new change, lets the command in flight finish (file writes are atomic), runs
/// the handlers of what did change, and releases its locks.
public final class Interruption: Sendable {
    private let signal = ThreadSafeBox<Int32?>(nil)

    public init() {}

    /// The first signal counts.
    public func interrupt(by signal: Int32) {
        self.signal.withLock { if $0 == nil { $0 = signal } }
    }

    /// The signal that interrupted the run, if one did.
    public var interruptedBy: Int32? { signal.value }
    public var isInterrupted: Bool { interruptedBy != nil }
}
