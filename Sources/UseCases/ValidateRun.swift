import Playbooks
import Provision

/// `validate` as one library call: the inventory, its site playbooks, and that every host has
/// what its roles need, as `plan` would check it, without reading secrets.
public enum ValidateRun {
    public struct Result: Sendable {
        public var hosts: Int
        public var groups: Int
        public var sitePlaybooks: Int
    }

    public static func run(_ workspace: Workspace) throws(UseCaseFailure) -> Result {
        let inventory = try workspace.loadInventory()
        let siteRoles = try workspace.loadSiteRoles(of: inventory)
        let problems = RoleRequirements.diagnostics(for: inventory.hosts, siteRoles: siteRoles)
        if !problems.isEmpty { throw .invalidInput(DiagnosticsError(problems, sources: inventory.sources).description) }
        return Result(hosts: inventory.hosts.count, groups: inventory.groupNames.count, sitePlaybooks: siteRoles.count)
    }
}
