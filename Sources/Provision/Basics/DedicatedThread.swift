import Foundation

/// Runs blocking work (libcurl requests, waits between retries) on a thread of its own, so that
/// async code can await it without holding one of the few threads that all tasks share.
public enum DedicatedThread {
    public static func run<Value: Sendable, Failure: Error>(_ work: @escaping @Sendable () throws(Failure) -> Value) async throws(Failure) -> Value {
        let result: Result<Value, Failure> = await withCheckedContinuation { continuation in
            Thread {
                SignalForwarding.keepFromThisThread()
                continuation.resume(returning: Result { () throws(Failure) -> Value in try work() })
            }.start()
        }
        return try result.get()
    }
}
