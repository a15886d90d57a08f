import ArgumentParser
import Foundation
import Logging
import Provision

struct PowerCommand: AsyncParsableCommand {
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

    enum Action: String, CaseIterable, ExpressibleByArgument {
        case on, off, cycle, status
        case pxeOnce = "pxe-once"

        var powerChange: RedfishClient.PowerChange? {
            switch self {
            case .on: .on
            case .off: .off
            case .cycle: .cycle
            case .status, .pxeOnce: nil
            }
        }
    }

    @OptionGroup var options: InventoryOptions

    @Argument(help: "The host.")
    var host: String

    @Argument(help: "What to do.")
    var action: Action

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

    func run() async throws {
        try await reportingFailures {
            let inventory = try options.load()
            let host = try options.hosts(named: [host], in: inventory)[0]
            guard let bmc = host.bmc else {
                throw Failure.invalidInput("host \(host.name) has no 'bmc' in the inventory")
            }
            guard bmc.kind == .redfish else {
                throw Failure.invalidInput("host \(host.name) has an IPMI BMC (\(bmc.address)); provision power speaks Redfish, IPMI is not supported yet")
            }
            if action == .off || action == .cycle, host.isProtected, !forceProtected {
                throw Failure.refused("refusing to \(action == .off ? "switch off" : "power-cycle") protected host \(host.name) (protected: true in the inventory). Pass --force-protected if that is what you want.")
            }
            LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
            var logger = Logger(label: "provision.redfish")
            logger.logLevel = verbose ? .info : .warning
            let clientOptions = RedfishClient.Options(connectTimeout: min(.seconds(10), .seconds(timeout)), requestTimeout: .seconds(timeout), retries: retries)
            let (action, name, firmware) = (action, host.name, host.firmware)
            do throws(RedfishError) {
                let report = try await DedicatedThread.run { [logger] () throws(RedfishError) -> String in
                    let client = try RedfishClient(bmc: bmc, options: clientOptions, logger: logger)
                    if let change = action.powerChange {
                        let outcome = try client.change(change)
                        guard let reset = outcome.requested else { return "\(name): already \(outcome.before.rawValue), nothing to do" }
                        return "\(name): was \(outcome.before.rawValue); the BMC accepted \(reset.rawValue)"
                    }
                    if action == .pxeOnce {
                        try client.bootFromNetworkOnce(firmware: firmware)
                        return "\(name): its next boot (only) is a network boot (\(firmware == .uefi ? "UEFI" : "legacy BIOS") PXE)"
                    }
                    return "\(name): \(try client.powerState().rawValue)"
                }
                print(report)
            } catch {
                throw Failure(error, host: host.name)
            }
        }
    }
}

extension Failure {
    /// What a BMC error means for the exit code: 64 when nothing could be tried (the password
    /// is not available), 4 when the BMC cannot be reached or does not accept us, 1 when it
    /// refuses or fails the action.
    init(_ error: RedfishError, host: String) {
        let message = "\(host): \(error)"
        switch error.kind {
        case .configuration: self = .invalidInput(message)
        case .unreachable, .timeout, .tls, .authentication: self = .unreachable(message)
        case .refused, .server, .invalidResponse: self = .failed(message)
        }
    }
}
