import Provision

/// `netboot render` as one library call: the tree rendered from the inventory and the state
/// file's armed hosts, written beside the old tree and swapped in at once (a failed or
/// interrupted render leaves the old tree whole), or only compared with it. A host whose render
/// inputs are those the current tree was made from (`RenderManifest`) has its files carried
/// across by hard link instead of rendered again, unless `full`. Rendering blocks (worker
/// threads, file writes): it runs on a thread of its own.
public enum RenderRun {
    public struct Result: Sendable {
        /// Each changed file's unified diff or removal line, when asked for (always for `check`).
        public var changes: [String]
        /// Files written, hosts carried and boot assets carried over; nil for `check`.
        public var written: BootTreeWriter.Summary?
        public var hosts: Int
        public var armed: Int

        /// 2 when `check` found changes.
        public var exitStatus: ExitStatus { written == nil && !changes.isEmpty ? .changes : .success }
    }

    /// Renders and swaps the tree in; with `diff`, every file is rendered (and compared) before
    /// the first is written, else each batch is written as soon as it is rendered and hosts
    /// whose inputs did not change are carried (`full`: none is).
    public static func render(_ workspace: Workspace, diff: Bool, full: Bool = false) async throws(UseCaseFailure) -> Result {
        try await DedicatedThread.run { () throws(UseCaseFailure) -> Result in
            // The tree the last render replaced goes while this one reads its inventory.
            let previous = PreviousTree.discard(of: workspace.treePath)
            defer { previous.wait() }
            let (renderer, armed) = try prepare(workspace, writing: true)
            let tftpRoot = "\(workspace.treePath)/\(BootTree.tftp)"
            var rendered: [NetbootRenderer.RenderBatch] = []
            if diff { renderer.renderTree(armed: armed, tftpRoot: tftpRoot) { rendered.append($0) } }
            let batches = diff ? rendered : nil
            let changes = batches.map { BootTreeDiff.changes($0.flatMap(\.renderedFiles), against: workspace.treePath) } ?? []
            let current = full || diff ? nil : RenderManifest(readingTreeAt: workspace.treePath)
            do {
                let summary = try BootTreeWriter.write(to: workspace.treePath, after: previous) { write in
                    if let batches {
                        try batches.forEach(write)
                    } else {
                        try renderer.renderTree(armed: armed, tftpRoot: tftpRoot, carrying: current, write)
                    }
                }
                return Result(changes: changes, written: summary, hosts: renderer.inventory.hosts.count, armed: armed.count)
            } catch {
                throw .failed("render failed, the old tree is unchanged: \(error)")
            }
        }
    }

    /// What a render would change, writing nothing: not even the state file is created.
    public static func check(_ workspace: Workspace) async throws(UseCaseFailure) -> Result {
        try await DedicatedThread.run { () throws(UseCaseFailure) -> Result in
            let (renderer, armed) = try prepare(workspace, writing: false)
            let files = renderer.renderTree(armed: armed, tftpRoot: "\(workspace.treePath)/\(BootTree.tftp)")
            return Result(changes: BootTreeDiff.changes(files, against: workspace.treePath), written: nil,
                          hosts: renderer.inventory.hosts.count, armed: armed.count)
        }
    }

    /// The inventory loaded into a renderer, and the hosts armed in the state file. Unless
    /// `writing`, the state file is only read.
    private static func prepare(_ workspace: Workspace, writing: Bool) throws(UseCaseFailure) -> (NetbootRenderer, armed: Set<String>) {
        let inventory = try workspace.loadInventory()
        let renderer = NetbootRenderer(inventory: inventory, templates: try workspace.templates(for: inventory))
        do {
            let armed = writing ? try InstallStateStore(path: workspace.state).armedHosts() : try InstallStateStore.armedHosts(readingOnly: workspace.state)
            return (renderer, armed)
        } catch {
            throw .failed("cannot \(writing ? "open" : "read") the state file \(workspace.state): \(error)")
        }
    }
}
