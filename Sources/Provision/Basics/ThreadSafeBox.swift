import Synchronization

/// A value shared between threads behind a `Mutex` (SwiftPM's `ThreadSafeBox`): the one box
/// the project uses, so that no type keeps a lock and its value by hand. A class, because a
/// `Mutex` cannot be copied into the closures that threads and tasks run.
public final class ThreadSafeBox<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) {
        mutex = Mutex(value)
    }

    public func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
        mutex.withLock { value in body(&value) }
    }

    public var value: Value { withLock { $0 } }
}
