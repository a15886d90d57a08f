import Foundation
import Synchronization

/// The install server's refusals counted in memory and written to the state file in one
/// transaction at most once a second (a new host, reason and peer at once, so the first of
/// each is there for `status` without delay), and whatever is left when the server stops.
/// Past `capacity` distinct rows, new peers count under `*` for their host and reason.
final class RefusalTally: Sendable {
    let capacity: Int
    private let counts: Mutex<Counts>

    private struct Counts {
        /// Every key that has a row in the table or is pending.
        var known: Set<InstallRefusal.Key>
        var pending: [InstallRefusal.Key: InstallRefusal] = [:]
        var lastWrite = Date.distantPast
    }

    init(known: Set<InstallRefusal.Key>, capacity: Int) {
        counts = Mutex(Counts(known: known))
        self.capacity = capacity
    }

    /// Counts one refusal; returns the key it was counted under, whether that key is new, and
    /// whether the pending counts are due to be written.
    func add(host: String, reason: InstallRefusal.Reason, peer: String, at now: Date) -> (key: InstallRefusal.Key, isNew: Bool, due: Bool) {
        counts.withLock { counts in
            var key = InstallRefusal.Key(host: host, reason: reason, peer: peer)
            if !counts.known.contains(key) && counts.known.count >= capacity { key.peer = InstallRefusal.anyPeer }
            let isNew = counts.known.insert(key).inserted
            if var entry = counts.pending[key] {
                entry.count += 1
                entry.lastAt = now
                counts.pending[key] = entry
            } else {
                counts.pending[key] = InstallRefusal(host: key.host, reason: reason, peer: key.peer, count: 1, firstAt: now, lastAt: now)
            }
            return (key, isNew, isNew || now.timeIntervalSince(counts.lastWrite) >= 1)
        }
    }

    /// The pending counts, handed to the caller to write (and so no longer pending).
    func take(at now: Date) -> [InstallRefusal] {
        counts.withLock { counts in
            defer { counts.pending = [:]; counts.lastWrite = now }
            return Array(counts.pending.values)
        }
    }

    /// Counts that could not be written go back, to be tried with the next ones.
    func restore(_ refusals: [InstallRefusal]) {
        counts.withLock { counts in
            for refusal in refusals {
                if var entry = counts.pending[refusal.key] {
                    entry.count += refusal.count
                    entry.firstAt = min(entry.firstAt, refusal.firstAt)
                    counts.pending[refusal.key] = entry
                } else {
                    counts.pending[refusal.key] = refusal
                }
            }
        }
    }
}
