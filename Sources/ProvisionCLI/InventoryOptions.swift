import ArgumentParser
import Provision
import UseCases

/// Options every inventory-reading command shares.
struct InventoryOptions: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp("Inventory file, or a directory of *.yml and *.yaml files (default: $PROVISION_INVENTORY, else inventory/site.yml).", valueName: "path"))
    var inventory: String?

    @Option(help: ArgumentHelp("SQLite file holding install state and run history (default: $PROVISION_STATE, else state/provision.sqlite).", valueName: "path"))
    var state: String?

    func workspace(_ context: ProvisionContext, tree: TreeOptions? = nil) -> Workspace {
        Workspace(inventory: inventory, state: state, tree: tree?.tree, context: context)
    }
}
