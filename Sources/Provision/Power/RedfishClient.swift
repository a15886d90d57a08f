import Foundation
import Logging

/// Power and next-boot control of one server through its Redfish BMC: finds the
/// ComputerSystem (the inventory's `system`, else the BMC's first), reads and changes its power
/// state, and makes its next boot a network boot. A request is retried with backoff after a
/// timeout, a 5xx answer or a lost connection (BMC web servers are slow and restart), never
/// after a 4xx or a TLS failure, which would only fail the same way again. Every request's
/// outcome is logged (method, path, status, time); the credentials never are.
///
/// Calls block (libcurl): call them on a thread of its own, or through `DedicatedThread` from
/// async code. The client remembers the system it found, so it belongs to one thread at a time.
public final class RedfishClient {
    public struct Options: Sendable {
        /// Limit on establishing a connection (TCP and TLS).
        public var connectTimeout: Duration
        /// Limit on one request, connecting included; a request that times out is retried.
        public var requestTimeout: Duration
        /// Tries after the first one.
        public var retries: Int
        /// Wait before the first retry, doubled before each next one.
        public var backoff: Duration

        public init(connectTimeout: Duration = .seconds(10), requestTimeout: Duration = .seconds(30), retries: Int = 2, backoff: Duration = .milliseconds(500)) {
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.retries = retries
            self.backoff = backoff
        }
    }

    /// Redfish's `PowerState` of a ComputerSystem.
    public enum PowerState: String, Sendable {
        case on = "On", off = "Off", poweringOn = "PoweringOn", poweringOff = "PoweringOff", paused = "Paused"
    }

    /// The `ComputerSystem.Reset` types provision asks for: all forced, none waits for the OS.
    public enum ResetType: String, Sendable {
        case on = "On", forceOff = "ForceOff", forceRestart = "ForceRestart"
    }

    public enum PowerChange: String, Sendable {
        case on, off, cycle
    }

    /// What a power change found and did.
    public struct PowerChangeOutcome: Sendable, Equatable {
        public var before: PowerState
        /// The reset the BMC was asked for; nil when the system already was as asked.
        public var requested: ResetType?
    }

    /// The system's `Boot` override settings, as the BMC reports them.
    public struct BootOverride: Sendable, Equatable {
        public var target: String?
        public var enabled: String?
        public var mode: String?
    }

    public let bmc: BMC
    private let http: HTTPClient
    private let baseURL: String
    private let password: String
    private let options: Options
    private let logger: Logger
    private var discoveredSystem: String?

    /// A client for a BMC whose password was read (`Host.resolvingBMCPassword`); contacts nothing yet.
    public init(bmc: BMC, options: Options = Options(), logger: Logger = Logger(label: "provision.redfish")) throws(RedfishError) {
        guard bmc.kind == .redfish else {
            throw RedfishError(kind: .configuration, message: "the BMC at \(bmc.address) is an IPMI BMC; only Redfish is supported yet")
        }
        guard let password = bmc.password.value else {
            throw RedfishError(kind: .configuration, message: "BMC \(bmc.address): its password \(bmc.password) was not read before the client was made")
        }
        self.password = password
        self.bmc = bmc
        self.options = options
        self.logger = logger
        baseURL = bmc.address.hasSuffix("/") ? String(bmc.address.dropLast()) : bmc.address
        http = HTTPClient(connectTimeout: options.connectTimeout, timeout: options.requestTimeout, tls: bmc.tls)
        if bmc.tls == .insecure {
            logger.warning("TLS certificate checks for the BMC at \(bmc.address) are off (insecure_tls: true): whoever sits on the path can read its password")
        }
    }

    /// The path of the ComputerSystem this client controls.
    public func systemPath() throws(RedfishError) -> String {
        if let path = bmc.system ?? discoveredSystem { return path }
        let collection = try get("/redfish/v1/Systems")
        guard let members = collection["Members"] as? [[String: Any]], let first = members.first?["@odata.id"] as? String else {
            throw RedfishError(kind: .invalidResponse, message: "BMC \(bmc.address): /redfish/v1/Systems lists no ComputerSystem")
        }
        discoveredSystem = first
        return first
    }

    public func powerState() throws(RedfishError) -> PowerState {
        let path = try systemPath()
        return try powerState(of: try get(path), at: path)
    }

    /// Switches the system on or off, or cycles it: a cycle of a system that is off switches it
    /// on. Asks for nothing when the system already is as asked.
    @discardableResult
    public func change(_ change: PowerChange) throws(RedfishError) -> PowerChangeOutcome {
        let path = try systemPath()
        let system = try get(path)
        let before = try powerState(of: system, at: path)
        let reset: ResetType? = switch (change, before) {
        case (.on, .on), (.off, .off): nil
        case (.on, _), (.cycle, .off): .on
        case (.off, _): .forceOff
        case (.cycle, _): .forceRestart
        }
        if let reset {
            let actions = system["Actions"] as? [String: Any]
            guard let target = (actions?["#ComputerSystem.Reset"] as? [String: Any])?["target"] as? String else {
                throw RedfishError(kind: .invalidResponse, message: "BMC \(bmc.address): \(path) offers no ComputerSystem.Reset action")
            }
            try send(.post(json: Self.json(["ResetType": reset.rawValue])), target)
        }
        return PowerChangeOutcome(before: before, requested: reset)
    }

    /// Makes the next boot, and only the next, a network (PXE) boot in the firmware's mode.
    public func bootFromNetworkOnce(firmware: Firmware) throws(RedfishError) {
        let mode = switch firmware {
        case .uefi: "UEFI"
        case .bios: "Legacy"
        }
        let boot = ["BootSourceOverrideTarget": "Pxe", "BootSourceOverrideEnabled": "Once", "BootSourceOverrideMode": mode]
        try send(.patch(json: Self.json(["Boot": boot])), try systemPath())
    }

    public func bootOverride() throws(RedfishError) -> BootOverride {
        let boot = try get(try systemPath())["Boot"] as? [String: Any] ?? [:]
        return BootOverride(target: boot["BootSourceOverrideTarget"] as? String, enabled: boot["BootSourceOverrideEnabled"] as? String,
                            mode: boot["BootSourceOverrideMode"] as? String)
    }

    private func powerState(of system: [String: Any], at path: String) throws(RedfishError) -> PowerState {
        guard let text = system["PowerState"] as? String, let state = PowerState(rawValue: text) else {
            throw RedfishError(kind: .invalidResponse, message: "BMC \(bmc.address): \(path) has no PowerState provision knows (\(system["PowerState"] ?? "none"))")
        }
        return state
    }

    private func get(_ path: String) throws(RedfishError) -> [String: Any] {
        let body = try send(.get, path)
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw RedfishError(kind: .invalidResponse, message: "BMC \(bmc.address): GET \(path) did not answer with a JSON object")
        }
        return object
    }

    /// One request, retried while it fails in a way that may pass; each try is logged.
    @discardableResult
    private func send(_ method: HTTPRequest.Method, _ path: String) throws(RedfishError) -> Data {
        let request = HTTPRequest(method, url: baseURL + path, username: bmc.username, password: password)
        var attempt = 1
        while true {
            let started = ContinuousClock.now
            do {
                let response = try http.send(request)
                logger.info("\(method.name) \(path) \(response.status) in \(Self.milliseconds(since: started)) ms", metadata: ["bmc": "\(bmc.address)"])
                return response.body
            } catch {
                let retrying = attempt <= options.retries && Self.mayPass(error)
                let wait = options.backoff * (1 << (attempt - 1))
                logger.warning("\(method.name) \(path) \(error.kind) after \(Self.milliseconds(since: started)) ms\(retrying ? "; retrying in \(wait)" : "")",
                               metadata: ["bmc": "\(bmc.address)"])
                guard retrying else { throw RedfishError(error, bmc: bmc, attempts: attempt) }
                Thread.sleep(forTimeInterval: wait / .seconds(1))
                attempt += 1
            }
        }
    }

    /// Timeouts, 5xx answers and lost connections: what a busy or restarting BMC does.
    private static func mayPass(_ error: HTTPError) -> Bool {
        switch error.kind {
        case .timeout, .connectionRefused, .transfer: true
        case .status(let status): status >= 500
        case .tlsVerification, .tls, .connect: false
        }
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        Int((ContinuousClock.now - start) / .milliseconds(1))
    }

    /// String-valued objects, which always serialise.
    private static func json(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }
}
