import ArgumentParser
import Foundation
import Provision

/// Where the rendered netboot tree lives, and how to build what works on it.
struct TreeOptions: ParsableArguments {
    @Option(name: [.customLong("out"), .customLong("tree")], help: ArgumentHelp("The netboot tree directory.", valueName: "dir"))
    var tree: String = ProcessInfo.processInfo.environment["PROVISION_TREE"] ?? "pxe/current"

    var absoluteTree: String {
        tree.hasPrefix("/") ? tree : FileManager.default.currentDirectoryPath + "/" + tree
    }

    /// Templates: the built-in set, with the site's directory (if any) overriding file by file.
    func templates(for inventory: Inventory) throws -> TemplateSet {
        do {
            return try TemplateSet(override: inventory.site.templates)
        } catch let missing as ShareDirectory.NotFound {
            throw Failure.failed(missing.description)
        } catch {
            throw Failure.invalidInput("\(error)")
        }
    }

    func lifecycle(inventory: Inventory, statePath: String) throws -> InstallLifecycle {
        let renderer = NetbootRenderer(inventory: inventory, templates: try templates(for: inventory))
        let store: InstallStateStore
        do {
            store = try InstallStateStore(path: statePath)
        } catch {
            throw Failure.failed("cannot open the state file \(statePath): \(error)")
        }
        return InstallLifecycle(renderer: renderer, store: store, tree: absoluteTree)
    }

    /// The lifecycle of a tree that must be rendered already (arming rewrites its boot configs).
    func renderedLifecycle(inventory: Inventory, statePath: String) throws -> InstallLifecycle {
        let lifecycle = try self.lifecycle(inventory: inventory, statePath: statePath)
        guard FileManager.default.fileExists(atPath: "\(absoluteTree)/\(BootTree.dnsmasqConfig)") else {
            throw Failure.invalidInput("no rendered tree at \(tree): run `provision netboot render` first")
        }
        return lifecycle
    }
}
