import Foundation
import Playbooks
import Provision

/// The files a use case works on: the inventory, the state file and the netboot tree, each
/// opened here with the failure an operator can act on (exit 64 for a bad inventory, 1 for a
/// state file that cannot be opened); and what of the context they are read with (secrets
/// from its environment, known_hosts under its home, the share directory it names).
public struct Workspace: Sendable {
    /// The inventory file or directory, as given.
    public var inventory: String
    /// The SQLite file of install state and run history.
    public var state: String
    /// The netboot tree, as given (for messages), and absolute.
    public var tree: String
    public var treePath: String
    /// Where environment-variable secrets and PROVISION_SHARE are read.
    public var environment: [String: String]
    /// Whose `~/.ssh/known_hosts` records the keys installed hosts report.
    public var homeDirectory: String

    /// The workspace the environment names (PROVISION_INVENTORY, PROVISION_STATE,
    /// PROVISION_TREE), each overridden where the operator gave one.
    public init(inventory: String?, state: String?, tree: String?, context: ProvisionContext) {
        let tree = tree ?? context.environment["PROVISION_TREE"] ?? "pxe/current"
        self.inventory = inventory ?? context.environment["PROVISION_INVENTORY"] ?? "inventory/site.yml"
        self.state = state ?? context.environment["PROVISION_STATE"] ?? "state/provision.sqlite"
        self.tree = tree
        treePath = context.absolute(tree)
        environment = context.environment
        homeDirectory = context.homeDirectory
    }

    /// Loads and validates the inventory; every error at once.
    public func loadInventory() throws(UseCaseFailure) -> Inventory {
        do {
            return try InventoryLoader.load(path: inventory)
        } catch {
            throw .invalidInput(error.description)
        }
    }

    /// The roles of the inventory's site playbooks; every error at once.
    public func loadSiteRoles(of inventory: Inventory) throws(UseCaseFailure) -> [String: Role] {
        do {
            return try SitePlaybookLoader.load(for: inventory)
        } catch {
            throw .invalidInput(error.description)
        }
    }

    /// The inventory's hosts of these names, each once, in order; an unknown name is bad
    /// input, reported with the nearest name there is.
    public func hosts(named names: [String], in inventory: Inventory) throws(UseCaseFailure) -> [Provision.Host] {
        var seen = Set<String>()
        var hosts: [Provision.Host] = []
        for name in names where seen.insert(name).inserted {
            guard let host = inventory.host(named: name) else {
                var message = "no host '\(name)' in \(self.inventory)"
                if let near = Suggestion.nearest(to: name, in: inventory.hosts.map(\.name)) { message += "; did you mean '\(near)'?" }
                throw .invalidInput(message)
            }
            hosts.append(host)
        }
        return hosts
    }

    /// What converging these hosts takes: each host with its secret vars read (here, on the
    /// controller, before any host is contacted) and its playbook built from its roles.
    public func targets(for hosts: [Provision.Host], siteRoles: [String: Role]) throws(UseCaseFailure) -> [Engine.Target] {
        do {
            let secrets = SecretReader(environment: environment)
            return try hosts.map { host in
                let host = try host.resolvingSecrets(by: secrets)
                return Engine.Target(host: host, playbook: try Roles.playbook(for: host, siteRoles: siteRoles))
            }
        } catch {
            throw .invalidInput("\(error)")
        }
    }

    /// The host with its BMC's password read, for power control (which alone needs it).
    public func poweredHost(_ host: Provision.Host) throws(UseCaseFailure) -> Provision.Host {
        do {
            return try host.resolvingBMCPassword(by: SecretReader(environment: environment))
        } catch {
            throw .invalidInput("\(error)")
        }
    }

    public func installStateStore() throws(UseCaseFailure) -> InstallStateStore {
        do {
            return try InstallStateStore(path: state)
        } catch {
            throw .failed("cannot open the state file \(state): \(error)")
        }
    }

    public func runHistoryStore() throws(UseCaseFailure) -> RunHistoryStore {
        do {
            return try RunHistoryStore(path: state)
        } catch {
            throw .failed("cannot open the state file \(state): \(error)")
        }
    }

    /// Templates: the built-in set, with the site's directory (if any) overriding file by file.
    public func templates(for inventory: Inventory) throws(UseCaseFailure) -> TemplateSet {
        do {
            let share = try ShareDirectory.locate(from: .current(environment: environment))
            return try TemplateSet(builtIn: share.templates, override: inventory.site.templates)
        } catch let missing as ShareDirectory.NotFound {
            throw .failed(missing.description)
        } catch {
            throw .invalidInput("\(error)")
        }
    }

    /// The install lifecycle of this inventory's tree and state.
    public func lifecycle(inventory: Inventory) throws(UseCaseFailure) -> InstallLifecycle {
        let renderer = NetbootRenderer(inventory: inventory, templates: try templates(for: inventory))
        return InstallLifecycle(renderer: renderer, store: try installStateStore(), tree: treePath, homeDirectory: homeDirectory)
    }

    /// The lifecycle of a tree that must be rendered already (arming rewrites its boot configs).
    public func renderedLifecycle(inventory: Inventory) throws(UseCaseFailure) -> InstallLifecycle {
        try requireRenderedTree()
        return try lifecycle(inventory: inventory)
    }

    public func requireRenderedTree() throws(UseCaseFailure) {
        guard FileManager.default.fileExists(atPath: "\(treePath)/\(BootTree.dnsmasqConfig)") else {
            throw .invalidInput("no rendered tree at \(tree): run `provision netboot render` first")
        }
    }
}
