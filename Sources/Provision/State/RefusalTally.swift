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
        /// Alarms counted for the first time, whose event is still to be written.
        var newAlarms: [InstallRefusal.Key] = []
        var lastWrite = Date.distantPast
    }

    /// What is to be written: the counts, and the alarms seen for the first time (an event each).
    struct Batch {
        var refusals: [InstallRefusal]
        var newAlarms: [InstallRefusal.Key]
        var isEmpty: Bool { refusals.isEmpty }
    }

    init(known: Set<InstallRefusal.Key>, capacity: Int) {
        counts = Mutex(Counts(known: known))
        self.capacity = capacity
    }

    /// Counts one refusal; true when the pending counts are due to be written (the first of
    /// its host, reason and peer, or a second since the last write).
    func add(host: String, reason: InstallRefusal.Reason, peer: String, at now: Date) -> Bool {
        counts.withLock { counts in
            var key = InstallRefusal.Key(host: host, reason: reason, peer: peer)
            if !counts.known.contains(key) && counts.known.count >= capacity { key.peer = InstallRefusal.anyPeer }
            let isNew = counts.known.insert(key).inserted
            if isNew && reason.isAlarm { counts.newAlarms.append(key) }
            if var entry = counts.pending[key] {
                entry.count += 1
                entry.lastAt = now
                counts.pending[key] = entry
            } else {
                counts.pending[key] = InstallRefusal(host: key.host, reason: reason, peer: key.peer, count: 1, firstAt: now, lastAt: now)
            }
            return isNew || now.timeIntervalSince(counts.lastWrite) >= 1
        }
    }

    /// What is pending, handed to the caller to write (and so no longer pending).
    func take(at now: Date) -> Batch {
        counts.withLock { counts in
            defer { counts.pending = [:]; counts.newAlarms = []; counts.lastWrite = now }
            return Batch(refusals: Array(counts.pending.values), newAlarms: counts.newAlarms)
        }
    }

    /// What could not be written goes back, to be tried with the next.
    func restore(_ batch: Batch) {
        counts.withLock { counts in
            counts.newAlarms = batch.newAlarms + counts.newAlarms
            for refusal in batch.refusals {
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
