/// An IPv4 address in dotted-quad form. Strict: four decimal octets, no leading zeros
/// (`010.0.0.1` is octal to some parsers and decimal to others, so it is refused).
public struct IPv4Address: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: UInt32

    public init(value: UInt32) { self.value = value }

    public init?(_ text: String) {
        // Byte-wise: a large inventory parses tens of thousands of addresses.
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                  part.count == 1 || part.first != UInt8(ascii: "0") else { return nil }
            let octet = part.reduce(UInt32(0)) { $0 * 10 + UInt32($1 - UInt8(ascii: "0")) }
            guard octet <= 255 else { return nil }
            value = value << 8 | octet
        }
        self.value = value
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    public static func netmask(prefix: Int) -> IPv4Address {
        IPv4Address(value: prefix == 0 ? 0 : UInt32.max << UInt32(32 - prefix))
    }

    /// The network this address lies in under `prefix`: 10.20.1.11 with 24 is 10.20.1.0.
    public func network(prefix: Int) -> IPv4Address {
        IPv4Address(value: value & IPv4Address.netmask(prefix: prefix).value)
    }

    public func isInSubnet(of other: IPv4Address, prefix: Int) -> Bool {
        network(prefix: prefix) == other.network(prefix: prefix)
    }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }
}
