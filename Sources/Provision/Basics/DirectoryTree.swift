import Foundation

/// Removing a whole directory tree with plain `unlinkat` calls: several times faster than
/// `FileManager.removeItem` on a 50,000-file boot tree, which renders must discard each time.
public enum DirectoryTree {
    public static func remove(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return }
            if errno == ENOTDIR || errno == ELOOP {
                guard unlink(path) == 0 else { throw FileError.system("cannot remove \(path)", errno) }
                return
            }
            throw FileError.system("cannot open \(path)", errno)
        }
        try removeContents(of: fd, path: path)
        guard rmdir(path) == 0 else { throw FileError.system("cannot remove \(path)", errno) }
    }

    /// Empties the directory open at `fd` (and closes it).
    private static func removeContents(of fd: Int32, path: String) throws {
        guard let directory = fdopendir(fd) else {
            close(fd)
            throw FileError.system("cannot read \(path)", errno)
        }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            if entry.pointee.d_type == UInt8(DT_DIR) {
                try removeDirectory(name, in: fd, path: "\(path)/\(name)")
            } else if unlinkat(fd, name, 0) != 0 {
                // d_type is DT_UNKNOWN on some filesystems: a directory then answers EISDIR.
                guard errno == EISDIR else { throw FileError.system("cannot remove \(path)/\(name)", errno) }
                try removeDirectory(name, in: fd, path: "\(path)/\(name)")
            }
        }
    }

    private static func removeDirectory(_ name: String, in parent: Int32, path: String) throws {
        let child = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard child >= 0 else { throw FileError.system("cannot open \(path)", errno) }
        try removeContents(of: child, path: path)
        guard unlinkat(parent, name, AT_REMOVEDIR) == 0 else { throw FileError.system("cannot remove \(path)", errno) }
    }
}
