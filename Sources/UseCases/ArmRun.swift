import Provision

/// `install` as library calls: arm hosts for one network install each (behind the reinstall
/// guard), or disarm them back to local boot. The tree must be rendered already.
public enum ArmRun {
    /// The hosts armed, in order.
    public static func arm(_ names: [String], guard reinstallGuard: ReinstallGuard, in workspace: Workspace,
                           context: ProvisionContext) throws(UseCaseFailure) -> [Provision.Host] {
        let inventory = try workspace.loadInventory()
        let hosts = try workspace.hosts(named: names, in: inventory)
        let lifecycle = try workspace.renderedLifecycle(inventory: inventory)
        try reinstallGuard.allow(hosts, confirmAbove: inventory.site.confirmAbove, context: context)
        do {
            try lifecycle.arm(hosts)
        } catch {
            throw .failed("arming failed: \(error)")
        }
        return hosts
    }

    /// The hosts disarmed, in order.
    public static func disarm(_ names: [String], in workspace: Workspace) throws(UseCaseFailure) -> [Provision.Host] {
        let inventory = try workspace.loadInventory()
        let hosts = try workspace.hosts(named: names, in: inventory)
        let lifecycle = try workspace.renderedLifecycle(inventory: inventory)
        do {
            try lifecycle.disarm(hosts)
        } catch {
            throw .failed("disarming failed: \(error)")
        }
        return hosts
    }
}
