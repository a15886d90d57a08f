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
                let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else { throw FileError.system("cannot open \(path)/\(name)", errno) }
                try removeContents(of: child, path: "\(path)/\(name)")
                guard unlinkat(fd, name, AT_REMOVEDIR) == 0 else { throw FileError.system("cannot remove \(path)/\(name)", errno) }
            } else if unlinkat(fd, name, 0) != 0 {
                // d_type may be unknown on some filesystems: retry as a directory.
                guard errno == EISDIR else { throw FileError.system("cannot remove \(path)/\(name)", errno) }
                let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else { throw FileError.system("cannot open \(path)/\(name)", errno) }
                try removeContents(of: child, path: "\(path)/\(name)")
                guard unlinkat(fd, name, AT_REMOVEDIR) == 0 else { throw FileError.system("cannot remove \(path)/\(name)", errno) }
            }
        }
    }
}
