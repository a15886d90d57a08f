import Foundation
import Provision

/// `check`, `plan` and `apply` as one library call: select the hosts, read their secrets and
/// build their playbooks, take the inventory's controller lock, run the engine, record the run
/// in the history (pruned to the site's `history_days`) and write the report files.
///
/// In two steps, so that the command line can install its signal handling between them:
/// `prepare` checks everything that can be checked without a host (every option, every report
/// path, the state file, the lock), so a mistake ends the run before the first host is
/// contacted, not after its changes landed; `execute` then converges.
public struct ConvergeRun: Sendable {
    public struct Request: Sendable {
        /// Mode, concurrency, timeouts, rolling batches; its `holder` is set from the context.
        public var engine: Engine.Options
        public var limit: [String]
        public var shard: Shard?
        public var reports: [ReportFile]
        /// Wait for the inventory's lock instead of failing when another run holds it.
        public var waitForLock: Bool

        public init(engine: Engine.Options, limit: [String] = [], shard: Shard? = nil, reports: [ReportFile] = [], waitForLock: Bool = false) {
            self.engine = engine
            self.limit = limit
            self.shard = shard
            self.reports = reports
            self.waitForLock = waitForLock
        }
    }

    /// What a run found and did, and how the command ends.
    public struct Result: Sendable {
        public var summary: RunSummary
        /// The hosts' status, with 1 added when the history or a report could not be written.
        public var exitStatus: ExitStatus
    }

    public let targets: [Engine.Target]
    private let request: Request
    private let workspace: Workspace
    private let historyDays: Int
    private let history: RunHistoryStore
    private let lock: ControllerLock

    /// The selected hosts' targets, without taking the lock or opening the state file (for
    /// `--print-probe`).
    public static func targets(_ request: Request, in workspace: Workspace) throws(UseCaseFailure) -> (inventory: Inventory, targets: [Engine.Target]) {
        let inventory = try workspace.loadInventory()
        let siteRoles = try workspace.loadSiteRoles(of: inventory)
        let hosts: [Provision.Host]
        do {
            hosts = try HostSelection.select(request.limit, from: inventory).filter { request.shard?.contains($0.name) ?? true }
        } catch {
            throw .invalidInput("\(error)")
        }
        return (inventory, try workspace.targets(for: hosts, siteRoles: siteRoles))
    }

    /// Everything but the hosts: the inventory, the report paths, the state file, the lock.
    public static func prepare(_ request: Request, in workspace: Workspace, context: ProvisionContext) async throws(UseCaseFailure) -> ConvergeRun {
        for report in request.reports {
            if let reason = report.unwritableReason() {
                throw .invalidInput("--report \(report.format.rawValue)=\(report.path): cannot be written, \(reason)")
            }
        }
        let (inventory, targets) = try targets(request, in: workspace)
        let history = try workspace.runHistoryStore()
        let lock = try await takeLock(request, workspace: workspace, context: context)
        var request = request
        request.engine.holder = context.invocation.holder
        return ConvergeRun(targets: targets, request: request, workspace: workspace, historyDays: inventory.site.historyDays,
                           history: history, lock: lock)
    }

    /// Converges the hosts (telling `progress` of each as it finishes), records the run and
    /// writes the reports; the lock is released whatever happens.
    public func execute(context: ProvisionContext, progress: @escaping @Sendable (HostReport) -> Void) async -> Result {
        defer { lock.release() }
        let startedAt = context.now()
        let (targets, options) = (targets, request.engine)
        let reports = await DedicatedThread.run { Engine.run(targets, options: options, progress: progress) }
        let summary = RunSummary(mode: options.mode, startedAt: startedAt, seconds: context.now().timeIntervalSince(startedAt), hosts: reports,
                                 interruptedBy: options.interruption.interruptedBy)
        var status = summary.exitStatus
        do {
            try history.record(summary, by: context.invocation)
            try history.prune(before: startedAt.addingTimeInterval(-Double(historyDays) * 86_400))
        } catch {
            context.errors.line("cannot record the run in the history (\(workspace.state)): \(error)")
            status = status.union(.failed)
        }
        for file in request.reports {
            do {
                try file.write(summary)
            } catch {
                context.errors.line("cannot write the \(file.format) report \(file.path): \(error)")
                status = status.union(.failed)
            }
        }
        // Interrupted: the shell's convention, whatever else went wrong.
        return Result(summary: summary, exitStatus: summary.interrupted ? summary.exitStatus : status)
    }

    /// The inventory's controller lock (waited for on a thread of its own); a run that died
    /// holding it is reported, not hidden.
    private static func takeLock(_ request: Request, workspace: Workspace, context: ProvisionContext) async throws(UseCaseFailure) -> ControllerLock {
        let path = ControllerLock.path(state: workspace.state, inventory: workspace.inventory)
        let holder = "\(context.invocation.holder), since \(TimeFormat.text(context.now())) UTC"
        let (wait, errors) = (request.waitForLock, context.errors)
        let taken: Swift.Result<ControllerLock, any Error> = await DedicatedThread.run {
            Swift.Result {
                try ControllerLock(path: path, holder: holder, wait: wait) { current in
                    errors.line("waiting for the lock of this inventory, held by \(current)")
                }
            }
        }
        let lock: ControllerLock
        do {
            lock = try taken.get()
        } catch let busy as ControllerLock.Busy {
            throw .failed(busy.description)
        } catch {
            throw .failed("cannot take the lock of this inventory: \(error)")
        }
        if let stale = lock.staleHolder {
            context.errors.line("""
                warning: a previous run ended without releasing this inventory's lock (\(stale)); it was probably killed, \
                and its hosts may be partly converged (see provision history)
                """)
        }
        return lock
    }
}
