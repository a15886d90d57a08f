import Foundation

/// One run at a time per inventory on a controller: an exclusive `flock` on a lock file beside
/// the state file, keyed by the inventory's path. The holder writes who it is into the file, so
/// a second run can say who has it; the kernel drops the lock when its process dies, and a
/// record left behind that way is reported by the next run, not silently taken over.
public final class ControllerLock: Sendable {
    public let path: String
    private let descriptor: Int32
    /// The record of a run that died holding the lock (killed, the machine lost power), if any.
    public let staleHolder: String?

    public struct Busy: Error, CustomStringConvertible, Sendable {
        public var holder: String
        public var path: String
        public var description: String {
            "another provision run holds the lock of this inventory (\(path)): \(holder). Try again later, or wait for it with --wait."
        }
    }

    /// The lock file for an inventory, beside the state file.
    public static func path(state: String, inventory: String) -> String {
        let absolute = URL(fileURLWithPath: inventory).standardizedFileURL.path
        let directory = (state as NSString).deletingLastPathComponent
        return (directory.isEmpty ? "." : directory) + "/lock-" + String(sha256Hex(absolute).prefix(12))
    }

    /// Takes the lock, or throws `Busy` naming the holder; with `wait`, blocks until it is
    /// free, telling `waiting` who it is waiting for.
    public init(path: String, holder: String, wait: Bool, waiting: (String) -> Void = { _ in }) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw FileError.system("cannot open the lock file \(path)", errno) }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let current = Self.read(descriptor) ?? "a run that has not written its record yet"
            guard wait else {
                close(descriptor)
                throw Busy(holder: current, path: path)
            }
            waiting(current)
            while flock(descriptor, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    close(descriptor)
                    throw FileError.system("cannot lock \(path)", errno)
                }
            }
        }
        // A record with the lock free: its run ended without releasing it.
        staleHolder = Self.read(descriptor)
        _ = ftruncate(descriptor, 0)
        let record = Array((holder + "\n").utf8)
        _ = pwrite(descriptor, record, record.count, 0)
        _ = fsync(descriptor)
    }

    /// Clears the record (a clean end) and drops the lock.
    public func release() {
        _ = ftruncate(descriptor, 0)
        _ = flock(descriptor, LOCK_UN)
    }

    deinit {
        close(descriptor)
    }

    private static func read(_ descriptor: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
