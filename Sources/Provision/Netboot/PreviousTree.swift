import Foundation

/// The tree that the last render replaced, kept beside the live one as `.NAME.previous`, and
/// its removal: started on a thread of its own as a render begins, so that it runs while the
/// render reads and checks its inventory (one core's work) instead of after the swap.
public final class PreviousTree: Sendable {
    public let path: String
    private let removed = DispatchSemaphore(value: 0)

    private init(path: String) {
        self.path = path
    }

    /// Where the tree that a render of `root` replaces is kept until the next render.
    public static func path(of root: String) -> String {
        let root = BootTreeWriter.absolute(root)
        return "\((root as NSString).deletingLastPathComponent)/.\((root as NSString).lastPathComponent).previous"
    }

    /// Starts removing the previous tree of `root`, if there is one, and returns at once.
    public static func discard(of root: String) -> PreviousTree {
        let tree = PreviousTree(path: path(of: root))
        Thread {
            // A failure here is not the render's: a previous tree that is still there when the
            // new one is swapped in makes the writer remove the replaced tree at once instead.
            try? DirectoryTree.remove(tree.path)
            tree.removed.signal()
        }.start()
        return tree
    }

    /// Blocks until the removal has ended; any number of times.
    public func wait() {
        removed.wait()
        removed.signal()
    }
}
