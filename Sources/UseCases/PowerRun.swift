import Logging
import Provision

/// `power` as one library call: switch a host on or off, power-cycle it, read its power
/// state, or make its next boot a network boot, through its Redfish BMC. Off and cycle of a
/// protected host are refused unless forced.
public enum PowerRun {
    public enum Action: String, Sendable, CaseIterable {
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

    /// What the BMC did, as a line for the operator.
    public static func run(_ action: Action, host name: String, forceProtected: Bool, options: RedfishClient.Options, logger: Logger,
                           in workspace: Workspace) async throws(UseCaseFailure) -> String {
        let inventory = try workspace.loadInventory()
        let configured = try workspace.hosts(named: [name], in: inventory)[0]
        guard let configuredBMC = configured.bmc else { throw .invalidInput("host \(configured.name) has no 'bmc' in the inventory") }
        guard configuredBMC.kind == .redfish else {
            throw .invalidInput("host \(configured.name) has an IPMI BMC (\(configuredBMC.address)); provision power speaks Redfish, IPMI is not supported yet")
        }
        if action == .off || action == .cycle, configured.isProtected, !forceProtected {
            throw .refused("refusing to \(action == .off ? "switch off" : "power-cycle") protected host \(configured.name) (protected: true in the inventory). Pass --force-protected if that is what you want.")
        }
        let host = try workspace.poweredHost(configured)
        let (name, firmware, bmc) = (host.name, host.firmware, host.bmc!)
        do throws(RedfishError) {
            // libcurl blocks: on a thread of its own.
            return try await DedicatedThread.run { () throws(RedfishError) -> String in
                let client = try RedfishClient(bmc: bmc, options: options, logger: logger)
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
        } catch {
            throw UseCaseFailure(error, host: host.name)
        }
    }
}

extension UseCaseFailure {
    /// What a BMC error means: bad input when nothing could be tried (the password is not
    /// available), unreachable when the BMC cannot be reached or does not accept us, a failure
    /// when it refuses or fails the action.
    init(_ error: RedfishError, host: String) {
        let message = "\(host): \(error)"
        switch error.kind {
        case .configuration: self = .invalidInput(message)
        case .unreachable, .timeout, .tls, .authentication: self = .unreachable(message)
        case .refused, .server, .invalidResponse: self = .failed(message)
        }
    }
}
