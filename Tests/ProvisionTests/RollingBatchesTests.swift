import Foundation
import Testing
@testable import Provision

/// Rolling batches, as converge runs and `provision up` use them, over plain work items.
@Suite("Rolling batches", .tags(.small))
struct RollingBatchesTests {
    /// Item n fails when it is in `failing`; results keep the items' order.
    static func run(_ count: Int, failing: Set<Int>, batch: Engine.Share?, maxFail: Engine.Share?) -> [String] {
        RollingBatches.run(Array(0..<count), batch: batch, maxFail: maxFail, concurrency: 4,
                           work: { failing.contains($0) ? "\($0) failed" : "\($0) ok" },
                           failed: { $0.hasSuffix("failed") },
                           notStarted: { item, reason in "\(item) \(reason)" })
    }

    @Test("all run without --max-fail; past it no new batch starts, and the rest say why; a percentage counts of all items")
    func maxFail() {
        #expect(Self.run(5, failing: [0], batch: .count(2), maxFail: nil) == ["0 failed", "1 ok", "2 ok", "3 ok", "4 ok"])
        #expect(Self.run(5, failing: [0], batch: .count(2), maxFail: .count(0)) == [
            "0 failed", "1 ok",
            "2 not started: 1 of 2 hosts failed, more than --max-fail allows",
            "3 not started: 1 of 2 hosts failed, more than --max-fail allows",
            "4 not started: 1 of 2 hosts failed, more than --max-fail allows",
        ])
        // 20% of 10 is 2: two failures are allowed, the third stops the run.
        let run = Self.run(10, failing: [0, 1, 2], batch: .count(3), maxFail: .percent(20))
        #expect(run.prefix(3) == ["0 failed", "1 failed", "2 failed"])
        #expect(run.dropFirst(3).allSatisfy { $0.contains("not started: 3 of 3 hosts failed") })
        #expect(Self.run(7, failing: [], batch: .percent(34), maxFail: .count(0)).allSatisfy { $0.hasSuffix("ok") })
    }
}
