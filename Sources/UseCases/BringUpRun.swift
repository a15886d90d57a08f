import Logging
import Provision

/// `up` as one library call: per host, arm, PXE once and a power cycle through its BMC, wait
/// for the installer's callback, wait for a login verified with the host key the installer
/// reported, apply its roles; resumed where an earlier run stopped (see `BringUp`).
///
/// `prepare` checks everything before a host is touched (hosts, secrets, the rendered tree,
/// protected hosts and the typed confirmation, a BMC with a password for each host that will
/// be power-cycled); `execute` brings the hosts up, with the install server in this process
/// when asked.
public struct BringUpRun: Sendable {
    public struct Request: Sendable {
        public var hosts: [String]
        public var reinstall: Bool
        public var reinstallGuard: ReinstallGuard
        public var bringUp: BringUp.Options
        /// Run the install server in this process (else `provision serve` must run), listening
        /// on `listen` or the site's address.
        public var serve: Bool
        public var listen: ListenAddress?

        public init(hosts: [String], reinstall: Bool, reinstallGuard: ReinstallGuard, bringUp: BringUp.Options, serve: Bool, listen: ListenAddress?) {
            self.hosts = hosts
            self.reinstall = reinstall
            self.reinstallGuard = reinstallGuard
            self.bringUp = bringUp
            self.serve = serve
            self.listen = listen
        }
    }

    public struct Result: Sendable {
        public var outcomes: [BringUp.Outcome]
        public var exitStatus: ExitStatus
    }

    private let request: Request
    private let targets: [Engine.Target]
    private let lifecycle: InstallLifecycle

    public static func prepare(_ request: Request, in workspace: Workspace, context: ProvisionContext) throws(UseCaseFailure) -> BringUpRun {
        let inventory = try workspace.loadInventory()
        let selected = try workspace.hosts(named: request.hosts, in: inventory)
        var targets = try workspace.targets(for: selected, siteRoles: try workspace.loadSiteRoles(of: inventory))
        let lifecycle = try workspace.renderedLifecycle(inventory: inventory)
        var starts: [String: BringUpStage] = [:]
        for host in selected {
            do {
                starts[host.name] = BringUp.resumePoint(try lifecycle.store.record(host: host.name), reinstall: request.reinstall)
            } catch {
                throw .failed("cannot read the state file \(workspace.state): \(error)")
            }
        }
        try request.reinstallGuard.allow(selected.filter { starts[$0.name] == .arm }, confirmAbove: inventory.site.confirmAbove, context: context)
        // The BMC's password only for hosts the run will power-cycle (a resumed host past that needs none).
        for index in targets.indices where starts[targets[index].host.name]! <= .powerCycle {
            targets[index].host = try workspace.poweredHost(targets[index].host)
            try requireBMC(of: targets[index].host, logger: context.logger("provision.up", level: .warning))
        }
        var request = request
        request.bringUp.converge.holder = context.invocation.holder
        return BringUpRun(request: request, targets: targets, lifecycle: lifecycle)
    }

    /// Brings the hosts up, telling `progress` each stage as it starts and ends.
    public func execute(context: ProvisionContext, progress: @escaping @Sendable (String) -> Void) async throws(UseCaseFailure) -> Result {
        let bringUp = BringUp(lifecycle: lifecycle, options: request.bringUp, logger: context.logger("provision.up", level: .warning))
        let address = request.listen ?? .default(for: lifecycle.renderer.inventory.site)
        let server = request.serve ? try await startServer(at: address, context: context) : nil
        let targets = targets
        let outcomes = await DedicatedThread.run { bringUp.run(targets, progress: progress) }
        server?.cancel()
        _ = await server?.result
        let status = request.bringUp.converge.interruption.interruptedBy.map(ExitStatus.interrupted(by:)) ?? .of(outcomes)
        return Result(outcomes: outcomes, exitStatus: status)
    }

    /// A host that goes through the BMC stages needs a Redfish BMC whose password was read
    /// (making a client contacts nothing yet).
    private static func requireBMC(of host: Provision.Host, logger: Logger) throws(UseCaseFailure) {
        guard let bmc = host.bmc else { throw .invalidInput("host \(host.name) has no 'bmc' in the inventory: provision up powers hosts through their BMC") }
        do throws(RedfishError) {
            _ = try RedfishClient(bmc: bmc, logger: logger)
        } catch {
            throw .invalidInput("host \(host.name): \(error)")
        }
    }

    /// The install server, in this process until the bring-up ends, once it accepts callbacks.
    private func startServer(at address: ListenAddress, context: ProvisionContext) async throws(UseCaseFailure) -> Task<Void, any Error> {
        let server = InstallServer(lifecycle: lifecycle, host: address.host, port: address.port, logger: context.logger("provision.serve", level: .info))
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let errors = context.errors
        let task = Task {
            defer { continuation.finish() }
            try await server.run(stopOnSignals: false) { port in
                errors.line("provision up: install server listening on \(server.host):\(port)")
                continuation.yield(port)
            }
        }
        var listening = ports.makeAsyncIterator()
        if await listening.next() != nil { return task }
        let reason = if case .failure(let error) = await task.result { "\(error)" } else { "it ended" }
        throw .failed("the install server did not start: \(reason)")
    }
}
