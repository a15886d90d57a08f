import Foundation

/// Work over hosts in rolling batches, each host on a thread of its own (the work blocks in
/// libssh2 and libcurl), at most `concurrency` at once. Once more than `maxFail` of the hosts
/// so far failed, the remaining batches are not started and their hosts are reported as such.
/// Converge runs and `provision up` share it.
enum RollingBatches {
    static func run<Item: Sendable, Result: Sendable>(
        _ items: [Item], batch: Engine.Share?, maxFail: Engine.Share?, concurrency: Int,
        work: @escaping @Sendable (Item) -> Result, failed: (Result) -> Bool, notStarted: (Item, String) -> Result
    ) -> [Result] {
        let size = max(1, batch?.of(items.count) ?? items.count)
        var results: [Result] = []
        var start = 0
        while start < items.count {
            let slice = Array(items[start..<min(start + size, items.count)])
            results += parallel(slice, concurrency: concurrency, work: work)
            start += slice.count
            let failures = results.filter(failed).count
            if let limit = maxFail, start < items.count, failures > limit.of(items.count) {
                let reason = "not started: \(failures) of \(start) hosts failed, more than --max-fail allows"
                results += items[start...].map { notStarted($0, reason) }
                break
            }
        }
        return results
    }

    /// Every item's result, in order, from up to `concurrency` worker threads. Blocks the
    /// calling thread until the last is done: async callers run it on a thread of their own
    /// (`DedicatedThread`), never on the cooperative pool.
    static func parallel<Item: Sendable, Result: Sendable>(_ items: [Item], concurrency: Int, work: @escaping @Sendable (Item) -> Result) -> [Result] {
        let results = ThreadSafeBox([Result?](repeating: nil, count: items.count))
        // Indices 0, 1, 2, ... handed out to the worker threads.
        let next = ThreadSafeBox(0)
        let done = DispatchGroup()
        for _ in 0..<max(1, min(concurrency, items.count)) {
            done.enter()
            let worker = Thread {
                SignalForwarding.keepFromThisThread()
                while let index = next.withLock({ next -> Int? in
                    guard next < items.count else { return nil }
                    next += 1
                    return next - 1
                }) {
                    let result = work(items[index])
                    results.withLock { $0[index] = result }
                }
                done.leave()
            }
            worker.stackSize = 1 << 20
            worker.start()
        }
        done.wait()
        return results.value.map { $0! }
    }
}
