import Crypto
import Foundation

/// An OpenSSH public key as `ssh-keygen` writes it (`TYPE BASE64 [COMMENT]`), as an installer
/// reports its host's key: checked before it is trusted, since it goes into known_hosts. The
/// type must be one OpenSSH offers for host keys, the base64 must decode, and the key blob must
/// name the same type (its first field), which catches a truncated or pasted-together line.
public struct SSHHostKey: Sendable, Equatable {
    public static let types: Set<String> = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"]

    public let type: String
    public let blob: Data

    public struct Malformed: Error, CustomStringConvertible, Sendable {
        public var reason: String
        public var description: String { "malformed host key: \(reason)" }
    }

    public init(line: String) throws(Malformed) {
        try self.init(line: line, types: Self.types)
    }

    /// A key line of one of `types` (an authorized key may also be a security key's).
    init(line: String, types: Set<String>) throws(Malformed) {
        let fields = line.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count >= 2 else { throw Malformed(reason: "expected 'TYPE BASE64 [COMMENT]', got \(fields.count) field(s)") }
        guard types.contains(fields[0]) else {
            throw Malformed(reason: "unknown key type '\(fields[0].prefix(40))' (expected one of \(types.sorted().joined(separator: ", ")))")
        }
        guard let blob = Data(base64Encoded: fields[1]) else { throw Malformed(reason: "the key is not base64") }
        guard blob.count > 4 else { throw Malformed(reason: "the key is too short") }
        guard Self.blob([UInt8](blob), names: fields[0]) else {
            throw Malformed(reason: "the key's content does not name its type \(fields[0]) (truncated, or two keys pasted together?)")
        }
        type = fields[0]
        self.blob = blob
    }

    /// Whether a key blob starts with `type` as an SSH string (a 4-byte big-endian length, then
    /// the name), as every OpenSSH key blob does: a truncated or pasted-together line does not.
    private static func blob(_ bytes: [UInt8], names type: String) -> Bool {
        guard bytes.count > 4 else { return false }
        let length = bytes[0..<4].reduce(0) { $0 << 8 | Int($1) }
        return length == type.utf8.count && bytes.count > 4 + length && Array(bytes[4..<4 + length]) == Array(type.utf8)
    }

    /// `TYPE BASE64`, as known_hosts holds it after the host's name.
    public var knownHostsKey: String { "\(type) \(blob.base64EncodedString())" }

    /// As `ssh-keygen -l` shows it: `SHA256:` and the unpadded base64 of the blob's SHA-256.
    public var fingerprint: String {
        "SHA256:" + Data(SHA256.hash(data: blob)).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }
}
