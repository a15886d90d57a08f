import ArgumentParser
import Provision

/// The time limits of `up`'s stages, and what it makes of them with the rolling options.
struct BringUpOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Seconds from the power cycle to the installer's callback.", valueName: "seconds"))
    var installTimeout = 3600

    @Option(help: ArgumentHelp("Seconds from the callback to a verified SSH login.", valueName: "seconds"))
    var sshTimeout = 600

    @Option(help: ArgumentHelp("Seconds between looks at the state file for the callback, and between SSH attempts.", valueName: "seconds"))
    var pollInterval = 2.0

    @Option(help: ArgumentHelp("Seconds one request to a BMC may take before it is retried (twice).", valueName: "seconds"))
    var bmcTimeout = 30.0

    @Option(help: ArgumentHelp("Seconds any one probe, fix or handler of the converge may run.", valueName: "seconds"))
    var commandTimeout = 600

    func validate() throws {
        guard installTimeout >= 1, sshTimeout >= 1, commandTimeout >= 1, pollInterval > 0, bmcTimeout > 0 else {
            throw ValidationError("--install-timeout, --ssh-timeout and --command-timeout must be at least 1 second, --poll-interval and --bmc-timeout more than 0")
        }
    }

    func bringUp(reinstall: Bool, rolling: RollingOptions, connectors: ConnectorFactory, interruption: Interruption) -> BringUp.Options {
        BringUp.Options(
            installTimeout: .seconds(installTimeout), sshTimeout: .seconds(sshTimeout), pollInterval: .seconds(pollInterval),
            reinstall: reinstall, batch: rolling.batch, maxFail: rolling.maxFail,
            redfish: RedfishClient.Options(connectTimeout: min(.seconds(10), .seconds(bmcTimeout)), requestTimeout: .seconds(bmcTimeout)),
            converge: Engine.Options(mode: .apply, connectors: connectors, commandTimeout: .seconds(commandTimeout), interruption: interruption))
    }
}
