/// Fixed-size storage that concurrent workers fill, each writing only its own index. Backed by
/// raw memory: a Swift array in a class would trip exclusivity checks on concurrent writes.
final class UnsafeSlots<Value>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<Value?>
    private let count: Int

    init(count: Int) {
        self.count = count
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil, count: count)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    subscript(index: Int) -> Value? {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    var values: [Value] { (0..<count).map { storage[$0]! } }

    /// Moves the value at `index` out, freeing its slot (a rendered batch once it is written).
    func take(_ index: Int) -> Value {
        defer { storage[index] = nil }
        return storage[index]!
    }
}
