import CProvisionSystem
import Foundation

/// Puts a rendered tree on disk so that readers (dnsmasq, the install server, a booting host)
/// see either the old tree or the new one, whole: everything is written into a fresh sibling
/// directory, the boot assets of the old tree are hard-linked across, and the two directories
/// are exchanged with one `renameat2(RENAME_EXCHANGE)`. A failure leaves the old tree as it was.
///
/// Hosts a render carries (`RenderManifest`) are hard-linked from the old tree, not written:
/// files in a tree are never changed in place (arming and callbacks replace them by rename),
/// so the old tree and the new one can share them. The new tree gets the manifest of what it
/// holds.
///
/// The tree that was replaced stays beside the new one as `.NAME.previous` until the next
/// render removes it (`PreviousTree.discard`), on a thread of its own while that render reads
/// its inventory: removing 50,000 files costs as much as writing them, and there it costs no
/// wall time.
public enum BootTreeWriter {
    public struct Summary: Sendable {
        /// Files written.
        public var files: Int
        /// Hosts rendered, and hosts whose files were carried from the old tree (`carriedFiles` in all).
        public var renderedHosts: Int
        public var carriedHosts: Int
        public var carriedFiles: Int
        public var assets: Int
    }

    public static func write(_ files: [NetbootRenderer.RenderedFile], to root: String) throws -> Summary {
        try write(to: root, after: PreviousTree.discard(of: root)) { write in try write(NetbootRenderer.RenderBatch(files: files)) }
    }

    /// Writes the batches that `produce` hands to its argument as they are rendered, then
    /// swaps the tree in. `previous` is the removal of the tree the last render replaced,
    /// started early; it is waited for before the swap.
    public static func write(to root: String, after previous: PreviousTree,
                             _ produce: (_ write: (NetbootRenderer.RenderBatch) throws -> Void) throws -> Void) throws -> Summary {
        let root = absolute(root)
        let parent = (root as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let staging = "\(parent)/.\((root as NSString).lastPathComponent).new-\(getpid())"
        try? DirectoryTree.remove(staging)
        var swapped = false
        defer { if !swapped { try? DirectoryTree.remove(staging) } }

        let writer = try StagingWriter(root: staging, carryingFrom: root)
        var manifest = RenderManifest(root: root)
        var summary = Summary(files: 0, renderedHosts: 0, carriedHosts: 0, carriedFiles: 0, assets: 0)
        try produce { batch in
            _ = try writer.write(batch.files)
            for host in batch.hosts {
                switch host.files {
                case .rendered(let files):
                    let identities = try writer.write(files)
                    manifest.record(host.name, .init(digest: host.inputDigest, files: zip(files, identities).map { .init(path: $0.path, identity: $1) }))
                    summary.renderedHosts += 1
                case .carried(let files):
                    try writer.link(files)
                    manifest.record(host.name, .init(digest: host.inputDigest, files: files))
                    summary.carriedHosts += 1
                    summary.carriedFiles += files.count
                }
            }
        }
        if !manifest.entries.isEmpty { try AtomicFile.write(Data(manifest.text.utf8), to: "\(staging)/\(BootTree.renderManifest)") }
        summary.files = writer.files
        summary.assets = try carryAssets(from: root, to: staging)
        previous.wait()

        if FileManager.default.fileExists(atPath: root) {
            guard csystem_exchange_paths(staging, root) == 0 else {
                throw FileError.system("cannot swap \(staging) into \(root)", errno)
            }
            swapped = true
            // `staging` now holds the old tree: it waits beside the new one for the next render.
            if rename(staging, previous.path) != 0 { try? DirectoryTree.remove(staging) }
        } else {
            guard rename(staging, root) == 0 else { throw FileError.system("cannot move \(staging) to \(root)", errno) }
            swapped = true
        }
        return summary
    }

    /// Rewrites some files of an existing tree in place, each atomically (arming, callbacks).
    public static func update(_ files: [NetbootRenderer.RenderedFile], in root: String) throws {
        for file in files {
            let path = "\(root)/\(file.path)"
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AtomicFile.write(file.content, to: path)
        }
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// Hard-links the files listed in the old tree's asset manifest into the new tree.
    private static func carryAssets(from root: String, to staging: String) throws -> Int {
        guard let manifest = try? String(contentsOfFile: "\(root)/\(BootTree.assetManifest)", encoding: .utf8) else { return 0 }
        let assets = manifest.split(separator: "\n").map(String.init)
        for asset in assets {
            let target = "\(staging)/\(asset)"
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if link("\(root)/\(asset)", target) != 0 {
                try FileManager.default.copyItem(atPath: "\(root)/\(asset)", toPath: target)
            }
        }
        try AtomicFile.write(manifest, to: "\(staging)/\(BootTree.assetManifest)")
        return assets.count
    }
}

/// Writes files under a staging directory one after another: creating entries in one directory
/// from several threads only contends on the directory's lock (measured: 6x slower on ext4 with
/// two threads). Each directory is made once, when its first file comes.
private final class StagingWriter {
    let root: String
    private(set) var files = 0
    /// The staging directory, open: files are created relative to it, which spares the kernel
    /// walking the whole path for each of them.
    private let rootDescriptor: Int32
    /// The tree being replaced, which carried files are linked from; open when it exists.
    private let old: (path: String, descriptor: Int32)?
    private var directories = Set<Substring>()

    init(root: String, carryingFrom oldRoot: String) throws {
        self.root = root
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        rootDescriptor = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootDescriptor >= 0 else { throw FileError.system("cannot open \(root)", errno) }
        let oldDescriptor = open(oldRoot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        old = oldDescriptor >= 0 ? (oldRoot, oldDescriptor) : nil
    }

    deinit {
        close(rootDescriptor)
        if let old { close(old.descriptor) }
    }

    /// Creates each file; returns the identity each was written with.
    func write(_ batch: [NetbootRenderer.RenderedFile]) throws -> [FileIdentity] {
        try batch.map { file in
            try makeParent(of: file.path)
            var content = file.content
            let identity = try content.withUTF8 { bytes in
                let fd = openat(rootDescriptor, file.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw FileError.system("cannot create \(root)/\(file.path)", errno) }
                defer { close(fd) }
                var written = 0
                while written < bytes.count {
                    let n = Foundation.write(fd, bytes.baseAddress! + written, bytes.count - written)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { throw FileError.system("cannot write \(root)/\(file.path)", errno) }
                    written += n
                }
                var status = stat()
                guard fstat(fd, &status) == 0 else { throw FileError.system("cannot stat \(root)/\(file.path)", errno) }
                return FileIdentity(status)
            }
            files += 1
            return identity
        }
    }

    /// Hard-links files of the old tree into the new one. Each must still be the file the
    /// manifest names: the render checked that before carrying it, so a difference here means
    /// the old tree changed while rendering, and the render stops (the old tree stays).
    func link(_ carried: [RenderManifest.File]) throws {
        guard let old else { throw FileError.system("cannot carry files into \(root): the current tree is gone", ENOENT) }
        for file in carried {
            try makeParent(of: file.path)
            guard linkat(old.descriptor, file.path, rootDescriptor, file.path, 0) == 0 else {
                throw FileError.system("cannot link \(old.path)/\(file.path) into the new tree (`netboot render --full` writes every file)", errno)
            }
            guard FileIdentity(of: file.path, relativeTo: rootDescriptor) == file.identity else {
                throw FileError.system("\(old.path)/\(file.path) changed during the render: render again", EAGAIN)
            }
        }
    }

    private func makeParent(of path: String) throws {
        if let slash = path.lastIndex(of: "/"), directories.insert(path[..<slash]).inserted {
            try makeDirectory(path[..<slash])
        }
    }

    /// `mkdir -p` below the staging directory.
    private func makeDirectory(_ path: Substring) throws {
        if mkdirat(rootDescriptor, String(path), 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT, let slash = path.lastIndex(of: "/") else { throw FileError.system("cannot create \(root)/\(path)", errno) }
        try makeDirectory(path[..<slash])
        guard mkdirat(rootDescriptor, String(path), 0o755) == 0 || errno == EEXIST else { throw FileError.system("cannot create \(root)/\(path)", errno) }
    }
}
