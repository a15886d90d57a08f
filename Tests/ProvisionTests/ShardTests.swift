import Testing
@testable import Provision

@Suite("Sharding", .tags(.small))
struct ShardTests {
    @Test("--shard i/n: every host in exactly one shard, shares near even, stable when hosts are added")
    func shards() throws {
        let names = (1...1000).map { "kvm-\($0)" }
        let shards = (1...4).map { Shard("\($0)/4")! }
        let counts = shards.map { shard in names.filter(shard.contains).count }
        #expect(counts.reduce(0, +) == 1000)
        #expect(names.allSatisfy { name in shards.filter { $0.contains(name) }.count == 1 })
        #expect(counts.allSatisfy { (200...300).contains($0) }, "\(counts)")
        // The split depends on the name only, through FNV-1a's published test vectors, so every
        // controller and every release agrees.
        #expect(Shard.fnv1a("") == 0xcbf2_9ce4_8422_2325 && Shard.fnv1a("a") == 0xaf63_dc4c_8601_ec8c && Shard.fnv1a("foobar") == 0x85944171f73967e8)
        #expect(Shard("1/1")!.contains("anything"))
        for bad in ["0/4", "5/4", "1/0", "1", "a/b", "1/4/2", ""] { #expect(Shard(bad) == nil, "\(bad)") }
    }
}
