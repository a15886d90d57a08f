import Foundation

/// Set when the controller is asked to stop (SIGINT, SIGTERM): the engine then starts no new
/// host and no new change, lets the command in flight finish (file writes are atomic), runs
/// the handlers of what did change, and releases its locks.
public final class Interruption: @unchecked Sendable {
    private let lock = NSLock()
    private var signal: Int32?

    public init() {}

    public func interrupt(by signal: Int32) {
        lock.withLock { if self.signal == nil { self.signal = signal } }
    }

    /// The signal that interrupted the run, if one did.
    public var interruptedBy: Int32? { lock.withLock { signal } }
    public var isInterrupted: Bool { interruptedBy != nil }
}
