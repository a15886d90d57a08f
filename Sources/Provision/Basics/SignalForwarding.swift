import CProvisionSystem
import Foundation

/// SIGINT and SIGTERM handed to a closure on a thread of its own, for as long as it is not
/// stopped. The C handler only writes the signal's number to a pipe; the thread reads it and
/// calls `handler`, so the handler may do anything (lock, allocate, print). A SIGINT after
/// an earlier SIGINT or SIGTERM never reaches it: the C handler ends the process at once (130).
public final class SignalForwarding: Sendable {
    private let readEnd: Int32

    /// Catches SIGINT and SIGTERM from now on; nil when the pipe or the handlers cannot be set.
    public init?(_ handler: @escaping @Sendable (Int32) -> Void) {
        readEnd = csystem_forward_signals()
        guard readEnd >= 0 else { return nil }
        let readEnd = self.readEnd
        Thread {
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) == 1 { handler(Int32(byte)) }
            close(readEnd)
        }.start()
    }

    /// Keeps SIGINT and SIGTERM from the calling thread (see
    /// `csystem_keep_interrupts_from_this_thread`): every thread that does blocking network
    /// work calls it first, and the signals go to one that merely waits.
    public static func keepFromThisThread() {
        _ = csystem_keep_interrupts_from_this_thread()
    }

    /// The default handling again (a signal now ends the process); the pipe is closed, so the
    /// reading thread ends.
    public func stop() {
        csystem_restore_signals()
    }
}
