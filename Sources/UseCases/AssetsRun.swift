import Provision

/// `netboot assets` as one library call: the tree's boot loaders and installer kernels, from
/// Debian's packages and the site's pinned URLs, each verified; nothing replaced on a mismatch.
public enum AssetsRun {
    public struct Result: Sendable {
        public var placed: Int
        /// Installers the inventory's hosts need that no source provides.
        public var missing: [String]
    }

    public static func run(_ workspace: Workspace, progress: (String) -> Void) async throws(UseCaseFailure) -> Result {
        let inventory = try workspace.loadInventory()
        try workspace.requireRenderedTree()
        let sources = NetbootAssets.sources(for: inventory.site)
        do {
            try await NetbootAssets.install(sources, into: workspace.treePath, progress: progress)
        } catch {
            throw .failed("netboot assets: \(error)")
        }
        return Result(placed: sources.count, missing: NetbootAssets.missingInstallers(for: inventory, sources: sources))
    }
}
