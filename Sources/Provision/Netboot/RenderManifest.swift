import Foundation

/// What the render that made a tree wrote for each host, kept in the tree (`BootTree.renderManifest`):
/// the digest of the host's render inputs (`RenderInputs`) and each of its files with the
/// identity it had when written (inode, size, modification time). The next render carries a
/// host's files across by hard link only when its inputs have the same digest *and* every file
/// is still the one written then: arming and the install callback rewrite boot configs by
/// rename (a new inode), and a hand edit changes the size or time, so either makes the host
/// render again. A missing or garbled manifest carries nothing: every host is rendered.
public struct RenderManifest: Sendable {
    public struct File: Sendable, Equatable {
        public var path: String
        public var identity: FileIdentity
    }

    public struct Entry: Sendable, Equatable {
        public var digest: String
        public var files: [File]
    }

    /// The tree the entries describe.
    public let root: String
    public private(set) var entries: [String: Entry]

    static let header = "provision-rendered 1"

    public init(root: String, entries: [String: Entry] = [:]) {
        self.root = root
        self.entries = entries
    }

    /// The manifest of the tree at `root`; empty when there is none or it cannot be read whole.
    public init(readingTreeAt root: String) {
        self.init(root: root)
        guard let data = FileManager.default.contents(atPath: "\(root)/\(BootTree.renderManifest)"),
              let entries = Self.parse(Array(data)) else { return }
        self.entries = entries
    }

    /// `host NAME DIGEST`, then `  INODE SIZE MTIME_NS PATH` for each of its files. Read byte by
    /// byte: a 10,000-host tree's manifest has 60,000 lines, and splitting it into Strings took
    /// a tenth of a render that carries every host.
    static func parse(_ bytes: [UInt8]) -> [String: Entry]? {
        let space = UInt8(ascii: " "), newline = UInt8(ascii: "\n")
        var entries: [String: Entry] = [:]
        var current: (name: String, entry: Entry)?
        var position = 0
        /// The next field up to a space (or the line's end when `last`); nil when there is none.
        func field(last: Bool = false) -> ArraySlice<UInt8>? {
            let start = position
            while position < bytes.count, bytes[position] != newline, last || bytes[position] != space { position += 1 }
            guard position > start else { return nil }
            let field = bytes[start..<position]
            if !last, position < bytes.count, bytes[position] == space { position += 1 }
            return field
        }
        func number(_ field: ArraySlice<UInt8>?) -> UInt64? {
            guard let field, field.count <= 19 else { return nil }
            var value: UInt64 = 0
            for byte in field {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func text(_ field: ArraySlice<UInt8>) -> String { String(decoding: field, as: UTF8.self) }

        guard let header = field(last: true), text(header) == Self.header else { return nil }
        while position < bytes.count {
            guard bytes[position] == newline else { return nil }
            position += 1
            if position == bytes.count { break }
            if bytes[position] == space {
                guard position + 1 < bytes.count, bytes[position + 1] == space, current != nil else { return nil }
                position += 2
                guard let inode = number(field()), let size = number(field()).flatMap(Int64.init(exactly:)),
                      let modified = number(field()).flatMap(Int64.init(exactly:)), let path = field(last: true) else { return nil }
                current!.entry.files.append(File(path: text(path), identity: FileIdentity(inode: inode, size: size, modified: modified)))
            } else {
                guard let keyword = field(), text(keyword) == "host", let name = field(), let digest = field(last: true),
                      !digest.contains(space) else { return nil }
                if let current { entries[current.name] = current.entry }
                current = (text(name), Entry(digest: text(digest), files: []))
            }
        }
        if let current { entries[current.name] = current.entry }
        return entries
    }

    public var text: String {
        var text = Self.header + "\n"
        for name in entries.keys.sorted() {
            let entry = entries[name]!
            text += "host \(name) \(entry.digest)\n"
            for file in entry.files {
                text += "  \(file.identity.inode) \(file.identity.size) \(file.identity.modified) \(file.path)\n"
            }
        }
        return text
    }

    public mutating func record(_ name: String, _ entry: Entry) {
        entries[name] = entry
    }

    /// The files of `host` to carry, when the tree holds them, at `paths`, as rendered from
    /// inputs with this digest; nil when the host must be rendered.
    public func carried(_ host: String, digest: String, paths: [String]) -> [File]? {
        guard let entry = entries[host], entry.digest == digest, entry.files.map(\.path) == paths else { return nil }
        for file in entry.files where FileIdentity(of: "\(root)/\(file.path)") != file.identity {
            return nil
        }
        return entry.files
    }
}

/// Which file a path names, and whether it changed: inode, size and modification time, as
/// version control systems tell a file that changed from one that did not without reading it.
public struct FileIdentity: Sendable, Equatable {
    public var inode: UInt64
    public var size: Int64
    /// Nanoseconds since the epoch.
    public var modified: Int64

    public init(inode: UInt64, size: Int64, modified: Int64) {
        self.inode = inode
        self.size = size
        self.modified = modified
    }

    init(_ status: stat) {
        self.init(inode: UInt64(status.st_ino), size: Int64(status.st_size),
                  modified: Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec))
    }

    /// A regular file's identity; nil for anything else or nothing (symbolic links are not followed).
    init?(of path: String, relativeTo directory: Int32 = AT_FDCWD) {
        var status = stat()
        guard fstatat(directory, path, &status, AT_SYMLINK_NOFOLLOW) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        self.init(status)
    }
}
