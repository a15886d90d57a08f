import Foundation

/// Writes a file so that readers see either the old content or the new one, never a part:
/// the content goes to a temporary file in the same directory, which is then renamed over.
public enum AtomicFile {
    public static func write(_ data: some DataProtocol, to path: String, mode: mode_t = 0o644) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileError.system("cannot create \(temporary)", errno) }
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        let bytes = Array(data)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                throw FileError.system("cannot write \(temporary)", code)
            }
            written += n
        }
        fchmod(fd, mode)
        close(fd)
        guard rename(temporary, path) == 0 else { throw FileError.system("cannot rename \(temporary) to \(path)", errno) }
        ok = true
    }

    public static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws {
        try write(Array(text.utf8), to: path, mode: mode)
    }
}

public enum FileError: Error, CustomStringConvertible, Sendable {
    case system(String, Int32)

    public var description: String {
        switch self {
        case .system(let what, let code): "\(what): \(String(cString: strerror(code)))"
        }
    }
}
