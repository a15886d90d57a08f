import ArgumentParser
import Foundation
import Playbooks
import Provision

/// Options every inventory-reading command shares.
struct InventoryOptions: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp("Inventory file, or a directory of *.yml files.", valueName: "path"))
    var inventory: String = ProcessInfo.processInfo.environment["PROVISION_INVENTORY"] ?? "inventory/site.yml"

    @Option(help: ArgumentHelp("SQLite file holding install state and run history.", valueName: "path"))
    var state: String = ProcessInfo.processInfo.environment["PROVISION_STATE"] ?? "state/provision.sqlite"

    /// Loads and validates the inventory; on errors prints them all and exits 64.
    func load() throws -> Inventory {
        do {
            return try InventoryLoader.load(path: inventory)
        } catch {
            throw Failure.invalidInput(error.description)
        }
    }

    /// Loads the roles of the inventory's site playbooks; on errors prints them all and exits 64.
    func loadSiteRoles(of inventory: Inventory) throws -> [String: Role] {
        do {
            return try SitePlaybookLoader.load(for: inventory)
        } catch {
            throw Failure.invalidInput(error.description)
        }
    }
}
