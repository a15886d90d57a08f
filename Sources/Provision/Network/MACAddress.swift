/// A 48-bit Ethernet address. Parsed from `aa:bb:cc:dd:ee:ff` or `aa-bb-cc-dd-ee-ff`, any case.
public struct MACAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let groups = parts.count == 6 ? parts : text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.count == 6 else { return nil }
        var bytes: [UInt8] = []
        for group in groups {
            guard group.count == 2, let byte = UInt8(group, radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.bytes = bytes
    }

    private func joined(_ separator: String) -> String {
        bytes.map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined(separator: separator)
    }

    /// `52:54:00:12:34:56`: GRUB's `${net_default_mac}`, dnsmasq's `dhcp-host`.
    public var description: String { joined(":") }
    /// `52-54-00-12-34-56`: iPXE's `${mac:hexhyp}`.
    public var hyphenated: String { joined("-") }
    /// `01-52-54-00-12-34-56`: pxelinux's per-host file name (ARP type 1, Ethernet).
    public var pxelinuxName: String { "01-" + hyphenated }

    /// False for multicast and broadcast addresses: the group bit, the low bit of the first byte.
    public var isUnicast: Bool { bytes[0] & 1 == 0 }

    public static func < (a: MACAddress, b: MACAddress) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}
