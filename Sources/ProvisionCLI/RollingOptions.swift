import ArgumentParser
import Provision

/// Rolling runs, for the converge commands and `up`: hosts per batch, and when to stop.
/// Values are taken as written (`parsing: .unconditional`), so that `--batch -1` is refused for
/// what it is rather than read as an option `-1` and reported as a missing value.
struct RollingOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp("Rolling run: N hosts or N% of them per batch.", valueName: "N|N%"))
    var batch: Engine.Share?

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop starting new batches once more than N hosts (or N%) failed.", valueName: "N|N%"))
    var maxFail: Engine.Share?

    func validate() throws {
        if let batch, batch.of(100) == 0 { throw ValidationError("--batch must be a positive N or N%") }
    }
}
