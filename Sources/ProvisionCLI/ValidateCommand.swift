import ArgumentParser
import Playbooks
import Provision

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the inventory and its site playbooks and report every error at once (exit 64 if any).",
        discussion: """
            Also checks that every host has what its roles need, as `plan` would, without reading \
            secrets: a secret var must be given, but its environment variable or file need not \
            exist here (plan, check and apply read them before contacting any host).
            """)

    @OptionGroup var options: InventoryOptions

    func run() async throws {
        try await reportingFailures {
            let inventory = try options.load()
            let siteRoles = try options.loadSiteRoles(of: inventory)
            let roleProblems = RoleRequirements.diagnostics(for: inventory.hosts, siteRoles: siteRoles)
            if !roleProblems.isEmpty { throw Failure.invalidInput(DiagnosticsError(roleProblems, sources: inventory.sources).description) }
            print("\(options.inventory): \(inventory.hosts.count) hosts in \(inventory.groupNames.count) groups, \(siteRoles.count) site playbook\(siteRoles.count == 1 ? "" : "s"), no errors")
        }
    }
}
