import ArgumentParser
import Foundation
import Provision

struct AssetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assets",
        abstract: "Fill the tree's boot loaders and installer kernels.",
        discussion: """
            pxelinux, shim + GRUB, iPXE and the Debian 12 installer come from Debian's packages; \
            anything else (other distributions' installer kernels) from the URLs in site.assets, \
            each verified against its pinned sha256. A missing package or a mismatch is an error \
            and nothing is replaced.
            """)

    @OptionGroup var options: InventoryOptions
    @OptionGroup var tree: TreeOptions

    func run() async throws {
        try await reportingFailures {
            let inventory = try options.load()
            guard FileManager.default.fileExists(atPath: "\(tree.absoluteTree)/\(BootTree.dnsmasqConfig)") else {
                throw Failure.invalidInput("no rendered tree at \(tree.tree): run `provision netboot render` first")
            }
            let sources = NetbootAssets.sources(for: inventory.site)
            do {
                try await NetbootAssets.install(sources, into: tree.absoluteTree) { print($0) }
            } catch {
                throw Failure.failed("netboot assets: \(error)")
            }
            print("placed \(sources.count) boot assets in \(tree.tree)/\(BootTree.tftp)")
            let missing = NetbootAssets.missingInstallers(for: inventory, sources: sources)
            if !missing.isEmpty {
                print("warning: no source for \(missing.joined(separator: ", ")): add them to site.assets (url + sha256) before arming those hosts")
            }
        }
    }
}
