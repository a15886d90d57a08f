import Foundation

/// Reads a text file the user named (an inventory file, a playbook, a secret file) and, when it
/// cannot, says why in words: missing, a directory, a symbolic link loop, not a regular file,
/// too large, unreadable, or not UTF-8 (with the line and column of the first bad byte).
public enum TextFile {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// Why, without the path: "is a directory", "cannot be read: Permission denied".
        public var reason: String
        /// Where in the file the reason is (1-based), if it is in one place: the first byte that
        /// is not UTF-8, or the start of a file that is too large.
        public var line: Int?
        public var column: Int?
        public var description: String { reason }
    }

    /// The file's text. `maxBytes` is checked before anything is read, so a huge file (or a
    /// device such as /dev/zero, which is refused as not a regular file) costs nothing.
    public static func read(_ path: String, maxBytes: Int = .max) throws(Failure) -> String {
        var status = stat()
        guard stat(path, &status) == 0 else { throw Failure(reason: reason(statError: errno)) }
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw Failure(reason: "is a directory, not a file")
        default: throw Failure(reason: "is not a regular file (a device, pipe or socket)")
        }
        if status.st_size > maxBytes {
            throw Failure(reason: "is \(megabytes(Int(status.st_size))), more than the \(megabytes(maxBytes)) a file may have", line: 1, column: 1)
        }
        let data: [UInt8]
        do {
            data = try readBytes(path)
        } catch {
            throw Failure(reason: reason(openError: error.code))
        }
        return try utf8(data)
    }

    /// What a failed `stat` means for a path the user named.
    static func reason(statError code: Int32) -> String {
        switch code {
        case ENOENT: "does not exist"
        case ELOOP: "is a symbolic link loop (a link that leads back to itself)"
        case ENOTDIR: "does not exist (a part of its path is not a directory)"
        default: reason(openError: code)
        }
    }

    /// What a failed `open` or `read` means; public so that its wording is tested (tests run as
    /// root, which reads every file).
    public static func reason(openError code: Int32) -> String {
        switch code {
        case EACCES, EPERM: "cannot be read: permission denied (check its mode and owner)"
        default: "cannot be read: \(String(cString: strerror(code)))"
        }
    }

    private struct ReadError: Error { var code: Int32 }

    private static func readBytes(_ path: String) throws(ReadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReadError(code: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(code: errno)
            }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
    }

    /// The text, or where its first byte that is not UTF-8 is.
    static func utf8(_ bytes: [UInt8]) throws(Failure) -> String {
        if let text = String(bytes: bytes, encoding: .utf8) { return text }
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var line = 1
        var column = 1
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar):
                if scalar.count == 1, scalar.first == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
            case .error, .emptyInput:
                throw Failure(reason: "is not UTF-8 text (line \(line), column \(column)); save it as UTF-8", line: line, column: column)
            }
        }
    }

    private static func megabytes(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }
}
