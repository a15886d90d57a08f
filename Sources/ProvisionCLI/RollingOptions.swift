import ArgumentParser
import Provision

/// Rolling runs, for the converge commands and `up`: hosts per batch, and when to stop.
/// Values are taken as written (`parsing: .unconditional`), so that `--batch -1` is refused for
/// what it is rather than read as an option `-1` and reported as a missing value.
struct RollingOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp("Rolling run: N hosts or N% of them per batch.", valueName: "N|N%"))
    var batch: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop starting new batches once more than N hosts (or N%) failed.", valueName: "N|N%"))
    var maxFail: String?

    /// The batch size and failure limit; a malformed one is bad input (exit 64).
    func shares() throws -> (batch: Engine.Share?, maxFail: Engine.Share?) {
        let batch = try self.batch.map { text -> Engine.Share in
            guard let share = Engine.Share(text), share.of(100) > 0 else { throw Failure.invalidInput("--batch '\(text)' is not a positive N or N%") }
            return share
        }
        let maxFail = try self.maxFail.map { text -> Engine.Share in
            guard let share = Engine.Share(text) else { throw Failure.invalidInput("--max-fail '\(text)' is not N or N% (0-100)") }
            return share
        }
        return (batch, maxFail)
    }
}
