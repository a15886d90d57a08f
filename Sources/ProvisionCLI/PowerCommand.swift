import ArgumentParser
import Foundation
import Provision
import UseCases

struct PowerCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "power",
        abstract: "Switch a host on or off, power-cycle it, read its power state, or make its next boot a network boot, through its Redfish BMC.",
        discussion: """
            on, off and cycle are forced (the BMC does not wait for the OS to shut down); a cycle of a \
            host that is off switches it on. off and cycle of a protected host are refused without \
            --force-protected. pxe-once makes the next boot, and only that one, a PXE boot in the host's \
            firmware mode. Exit 4 when the BMC cannot be reached (timeout, TLS, authentication), 1 when it \
            refuses the action.
            """)

    @OptionGroup var options: InventoryOptions

    @Argument(help: "The host.")
    var host: String

    @Argument(help: "What to do.")
    var action: PowerRun.Action

    @Flag(help: "Switch off or cycle a host marked protected in the inventory.")
    var forceProtected = false

    @Option(help: ArgumentHelp("Seconds one request to the BMC may take before it is retried.", valueName: "seconds"))
    var timeout: Double = 30

    @Option(help: "How often to retry a request that timed out, failed with a 5xx or lost its connection.")
    var retries = 2

    @Flag(name: [.short, .long], help: "Log every request to the BMC (method, path, status, time) to stderr.")
    var verbose = false

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be more than 0 seconds") }
        guard retries >= 0 else { throw ValidationError("--retries cannot be negative") }
    }

    func run(_ context: ProvisionContext) async throws {
        try await reportingFailures(context) {
            let logger = context.logger("provision.redfish", level: verbose ? .info : .warning)
            let options = RedfishClient.Options(connectTimeout: min(.seconds(10), .seconds(timeout)), requestTimeout: .seconds(timeout), retries: retries)
            context.output.line(try await PowerRun.run(action, host: host, forceProtected: forceProtected, options: options, logger: logger,
                                                       in: self.options.workspace(context)))
        }
    }
}
