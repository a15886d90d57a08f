import Crypto
import Foundation

/// The hex SHA-256 of text, as `sha256sum` prints it. Compares of file content call this for
/// every resource of every host, so the hex digits come from a table, not `String(format:)`
/// (which alone cost most of a 1,000-host plan).
public func sha256Hex(_ text: String) -> String {
    sha256Hex(bytes: Data(text.utf8))
}

public func sha256Hex(bytes: some DataProtocol) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var hex = [UInt8]()
    hex.reserveCapacity(64)
    for byte in SHA256.hash(data: bytes) {
        hex.append(digits[Int(byte >> 4)])
        hex.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: hex, as: UTF8.self)
}
