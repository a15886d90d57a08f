import ArgumentParser
import Provision

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the inventory and report every error at once (exit 64 if any).")

    @OptionGroup var options: InventoryOptions

    func run() async throws {
        try await reportingFailures {
            let inventory = try options.load()
            print("\(options.inventory): \(inventory.hosts.count) hosts in \(inventory.groupNames.count) groups, no errors")
        }
    }
}
