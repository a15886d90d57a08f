import Foundation
import Provision
import UseCases

/// SIGINT and SIGTERM during a run: the first asks the engine to stop starting work (what is
/// in flight finishes, locks are released, the run is recorded as interrupted); a second
/// SIGINT ends the process at once (the kernel drops its locks; files are never half-written,
/// since every write is a rename).
final class InterruptSignals {
    private let forwarding: SignalForwarding?

    init(_ interruption: Interruption, errors: TextStream) {
        forwarding = SignalForwarding { number in
            interruption.interrupt(by: number)
            errors.write("""
                provision: \(number == SIGINT ? "interrupted" : "terminated"): starting nothing new; the commands in flight finish\
                \(number == SIGINT ? " (^C again to stop at once)" : "")

                """)
        }
    }

    /// Back to the default signal handling once the run is over.
    func stop() {
        forwarding?.stop()
    }
}
