import Crypto
import Foundation

/// The per-host secret an installer presents when it reports back. Issued when a host is
/// armed, checked once, then dropped, so a replayed callback is refused.
///
/// Rendered install files hold `marker` in its place; the install server replaces it when it
/// serves the file to the armed host, so no token is ever written to the tree on disk.
public struct InstallToken: Sendable, Hashable {
    public static let marker = "@@PROVISION_INSTALL_TOKEN@@"

    public let value: String

    public init(value: String) { self.value = value }

    /// 32 random bytes from the system's CSPRNG, hex-encoded.
    public static func generate() -> InstallToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return InstallToken(value: bytes.map { String(format: "%02x", $0) }.joined())
    }

    /// Compares in constant time, so response timing does not reveal how much of a guess matched.
    public func matches(_ presented: String) -> Bool {
        let a = Array(SHA256.hash(data: Data(value.utf8))), b = Array(SHA256.hash(data: Data(presented.utf8)))
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
