/// `--shard i/n`: one of n controllers' share of the hosts. A host belongs to shard
/// `1 + FNV-1a(name) mod n`: the same on every controller and every run, whatever else the
/// inventory holds, so adding a host never moves the others between shards.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// 1-based.
    public var index: Int
    public var count: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, (1...count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    public func contains(_ host: String) -> Bool {
        Int(Self.fnv1a(host) % UInt64(count)) == index - 1
    }

    /// 64-bit FNV-1a of the name's UTF-8 bytes: stable across machines and Swift versions,
    /// unlike `hashValue`.
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}
