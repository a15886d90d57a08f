import ArgumentParser
import Playbooks
import Provision
import UseCases

struct ValidateCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the inventory and its site playbooks and report every error at once (exit 64 if any).",
        discussion: """
            Also checks that every host has what its roles need, as `plan` would, without reading \
            secrets: a secret var must be given, but its environment variable or file need not \
            exist here (plan, check and apply read them before contacting any host).
            """)

    @OptionGroup var options: InventoryOptions

    func run(_ context: ProvisionContext) async throws {
        try await reportingFailures(context) {
            let workspace = options.workspace(context)
            let result = try ValidateRun.run(workspace)
            context.output.line("\(workspace.inventory): \(result.hosts) hosts in \(result.groups) groups, \(result.sitePlaybooks) site playbook\(result.sitePlaybooks == 1 ? "" : "s"), no errors")
        }
    }
}
