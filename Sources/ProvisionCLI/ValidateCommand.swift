import ArgumentParser
import Provision

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the inventory and its site playbooks and report every error at once (exit 64 if any).")

    @OptionGroup var options: InventoryOptions

    func run() async throws {
        try await reportingFailures {
            let inventory = try options.load()
            let siteRoles = try options.loadSiteRoles(of: inventory)
            print("\(options.inventory): \(inventory.hosts.count) hosts in \(inventory.groupNames.count) groups, \(siteRoles.count) site playbook\(siteRoles.count == 1 ? "" : "s"), no errors")
        }
    }
}
