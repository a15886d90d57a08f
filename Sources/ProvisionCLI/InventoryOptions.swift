import ArgumentParser
import Foundation
import Playbooks
import Provision

/// Options every inventory-reading command shares.
struct InventoryOptions: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp("Inventory file, or a directory of *.yml and *.yaml files.", valueName: "path"))
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

    /// The inventory's hosts of these names, each once, in order; an unknown name is bad input
    /// (exit 64), reported with the nearest name there is.
    func hosts(named names: [String], in inventory: Inventory) throws -> [Provision.Host] {
        var seen = Set<String>()
        return try names.filter { seen.insert($0).inserted }.map { name in
            guard let host = inventory.host(named: name) else {
                var message = "no host '\(name)' in \(self.inventory)"
                if let near = Suggestion.nearest(to: name, in: inventory.hosts.map(\.name)) { message += "; did you mean '\(near)'?" }
                throw Failure.invalidInput(message)
            }
            return host
        }
    }

    /// What converging these hosts takes: each host with its secret vars read (here, on the
    /// controller, before any host is contacted) and its playbook built from its roles.
    func targets(for hosts: [Provision.Host], siteRoles: [String: Role]) throws -> [Engine.Target] {
        do {
            let secrets = SecretReader()
            return try hosts.map { host in
                let host = try host.resolvingSecrets(by: secrets)
                return Engine.Target(host: host, playbook: try Roles.playbook(for: host, siteRoles: siteRoles))
            }
        } catch {
            throw Failure.invalidInput("\(error)")
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
