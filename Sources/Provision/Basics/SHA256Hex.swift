import Crypto
import Foundation

/// The hex SHA-256 of text, as `sha256sum` prints it.
public func sha256Hex(_ text: String) -> String {
    SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
}
