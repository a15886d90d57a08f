import Foundation
import GRDB

/// The install state of every host, in one SQLite file (mode 0600: it holds live tokens).
/// Each transition is one transaction, so a crash or a restart of the server loses nothing.
public final class InstallStateStore: Sendable {
    private let database: DatabaseQueue
    public let path: String
    private let refusalTally: RefusalTally
    /// At most this many rows of refused requests (then new peers count under `*`).
    public static let refusalCapacity = 1000
    /// A failed callback's reason is kept to this many characters.
    public static let reasonLength = 200

    public init(path: String, refusalCapacity: Int = InstallStateStore.refusalCapacity) throws {
        self.path = path
        database = try StateDatabase.open(path: path)
        let known = try database.read { db in
            try Row.fetchAll(db, sql: "SELECT host, reason, peer FROM installRefusal").compactMap { row -> InstallRefusal.Key? in
                InstallRefusal.Reason(rawValue: row["reason"]).map { InstallRefusal.Key(host: row["host"], reason: $0, peer: row["peer"]) }
            }
        }
        refusalTally = RefusalTally(known: Set(known), capacity: refusalCapacity)
    }

    /// Arms hosts: issues each a fresh token (a previous one stops working). A new install
    /// starts over: the recorded `up` stage and host key are dropped.
    public func arm(_ hosts: [String], now: Date = Date()) throws {
        try database.write { db in
            for host in hosts {
                try db.execute(sql: """
                    INSERT INTO install (host, phase, token, armedAt, fetchedAt, finishedAt, updatedAt) VALUES (?, 'armed', ?, ?, NULL, NULL, ?)
                    ON CONFLICT(host) DO UPDATE SET phase = 'armed', token = excluded.token, armedAt = excluded.armedAt,
                      fetchedAt = NULL, finishedAt = NULL, updatedAt = excluded.updatedAt,
                      stage = NULL, stageOutcome = NULL, stageDetail = NULL, stageAt = NULL, hostKey = NULL,
                      fetchedFrom = NULL, failureReason = NULL
                    """, arguments: [host, InstallToken.generate().value, now, now])
                try Self.log(db, host: host, event: "armed", detail: nil, at: now)
            }
        }
    }

    /// Disarms hosts without an install (an operator's change of mind): back to `ready`.
    public func disarm(_ hosts: [String], now: Date = Date()) throws {
        try database.write { db in
            for host in hosts {
                try db.execute(sql: "UPDATE install SET phase = 'ready', token = NULL, updatedAt = ? WHERE host = ? AND phase IN ('armed', 'installing')",
                               arguments: [now, host])
                if db.changesCount > 0 { try Self.log(db, host: host, event: "disarmed", detail: nil, at: now) }
            }
        }
    }

    public enum FetchOutcome: Sendable, Equatable {
        /// The token to fill in: the host is armed and the peer is the one it is bound to.
        case served(InstallToken)
        /// The host is not armed: it gets nothing.
        case notArmed
        /// The host is armed but the peer is not its address (nor a relay of its network), or
        /// its file was already fetched from another address: refused, counted as an alarm.
        case foreignPeer
    }

    /// An armed host's installer asks for its install file. The first fetch from one of the
    /// host's `addresses` binds the host to that address: its callback must come from there,
    /// and a fetch from anywhere else is refused (and counted as an alarm).
    public func recordFetch(host: String, from peer: String, addresses: Set<String>, now: Date = Date()) throws -> FetchOutcome {
        let outcome = try database.write { db -> FetchOutcome in
            guard let (token, boundTo) = try Self.armed(db, host: host) else { return .notArmed }
            guard Self.admits(peer, boundTo: boundTo, addresses: addresses) else { return .foreignPeer }
            if boundTo == nil {
                try db.execute(sql: "UPDATE install SET phase = 'installing', fetchedAt = coalesce(fetchedAt, ?), fetchedFrom = ?, updatedAt = ? WHERE host = ?",
                               arguments: [now, peer, now, host])
                try Self.log(db, host: host, event: "fetched", detail: "by \(peer)", at: now)
            }
            return .served(InstallToken(value: token))
        }
        if outcome == .foreignPeer { try refuse(host: host, reason: .foreignFetch, from: peer, now: now) }
        return outcome
    }

    public enum CallbackOutcome: Sendable, Equatable {
        case accepted
        /// The host is not armed (never was, or already reported: a replay).
        case notArmed
        case wrongToken
        /// The right token from an address other than the one the host is bound to (an alarm).
        case foreignPeer
    }

    /// The installer reports its end with the host's token, from the address that fetched the
    /// host's install file (or, if none did yet, one of its `addresses`), and (on success) the
    /// host's SSH key, or (on failure) why. Accepted once: the host is disarmed and the token
    /// dropped, so the same callback again is refused. A refused callback changes nothing but
    /// the count of refusals.
    public func finish(host: String, presented: String, succeeded: Bool, hostKey: SSHHostKey? = nil, reason: String? = nil,
                       from peer: String, addresses: Set<String>, now: Date = Date()) throws -> CallbackOutcome {
        let outcome = try database.write { db -> CallbackOutcome in
            guard let (token, boundTo) = try Self.armed(db, host: host) else { return .notArmed }
            guard InstallToken(value: token).matches(presented) else { return .wrongToken }
            guard Self.admits(peer, boundTo: boundTo, addresses: addresses) else { return .foreignPeer }
            let newPhase: InstallPhase = succeeded ? .installed : .failed
            let failure = succeeded ? nil : reason.flatMap { Self.cleaned(reason: $0, hiding: token) }
            try db.execute(sql: "UPDATE install SET phase = ?, token = NULL, finishedAt = ?, updatedAt = ?, hostKey = ?, failureReason = ? WHERE host = ?",
                           arguments: [newPhase.rawValue, now, now, hostKey?.knownHostsKey, failure, host])
            let key = hostKey.map { ", host key \($0.type) \($0.fingerprint)" } ?? ""
            try Self.log(db, host: host, event: newPhase.rawValue, detail: "callback from \(peer)\(key)\(failure.map { ": \($0)" } ?? "")", at: now)
            return .accepted
        }
        switch outcome {
        case .accepted: break
        case .notArmed: try refuse(host: host, reason: .notArmed, from: peer, now: now)
        case .wrongToken: try refuse(host: host, reason: .wrongToken, from: peer, now: now)
        case .foreignPeer: try refuse(host: host, reason: .foreignCallback, from: peer, now: now)
        }
        return outcome
    }

    /// An armed host's token, and the address its install file was first fetched from (nil
    /// before that); nil when the host is not armed.
    private static func armed(_ db: Database, host: String) throws -> (token: String, boundTo: String?)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT phase, token, fetchedFrom FROM install WHERE host = ?", arguments: [host]),
              let phase = InstallPhase(rawValue: row["phase"]), phase == .armed || phase == .installing,
              let token: String = row["token"] else { return nil }
        return (token, row["fetchedFrom"])
    }

    /// The binding: a host bound to the address that fetched its file is served and heard from
    /// there only; before its first fetch, from any of its install `addresses`.
    private static func admits(_ peer: String, boundTo: String?, addresses: Set<String>) -> Bool {
        boundTo.map { $0 == peer } ?? addresses.contains(peer)
    }

    /// An installer's `reason=`: one line of printable text, at most `reasonLength` characters,
    /// without the host's token (an installer that echoed its command line would leak it).
    static func cleaned(reason: String, hiding token: String) -> String? {
        let printable = String(String.UnicodeScalarView(reason.unicodeScalars.map {
            CharacterSet.controlCharacters.contains($0) || CharacterSet.illegalCharacters.contains($0) ? " " : $0
        }))
        let words = printable.replacingOccurrences(of: token, with: "[token]").split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !words.isEmpty else { return nil }
        return words.count > reasonLength ? String(words.prefix(reasonLength - 1)) + "…" : words
    }

    /// A refused request: counted in memory under its host, reason and peer, and written with
    /// the other counts at most once a second (at once for the first of each; an alarm's first
    /// also goes into the host's events). Nothing else changes.
    public func refuse(host: String, reason: InstallRefusal.Reason, from peer: String, now: Date = Date()) throws {
        if refusalTally.add(host: host, reason: reason, peer: peer, at: now) { try flushRefusals(now: now) }
    }

    /// Writes the refusals counted in memory (the server does when it stops).
    public func flushRefusals(now: Date = Date()) throws {
        let batch = refusalTally.take(at: now)
        guard !batch.isEmpty else { return }
        do {
            try database.write { db in
                for refusal in batch.refusals {
                    try db.execute(sql: """
                        INSERT INTO installRefusal (host, reason, peer, count, firstAt, lastAt) VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT(host, reason, peer) DO UPDATE SET count = count + excluded.count, lastAt = excluded.lastAt
                        """, arguments: [refusal.host, refusal.reason.rawValue, refusal.peer, refusal.count, refusal.firstAt, refusal.lastAt])
                }
                for alarm in batch.newAlarms {
                    try Self.log(db, host: alarm.host, event: "alarm", detail: "\(alarm.reason.summary): \(alarm.peer)", at: now)
                }
            }
        } catch {
            refusalTally.restore(batch)
            throw error
        }
    }

    /// The refused requests, as counted (those of this process included), alarms first.
    public func refusals() throws -> [InstallRefusal] {
        try flushRefusals()
        return try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM installRefusal").compactMap { row -> InstallRefusal? in
                guard let reason = InstallRefusal.Reason(rawValue: row["reason"]) else { return nil }
                return InstallRefusal(host: row["host"], reason: reason, peer: row["peer"], count: row["count"], firstAt: row["firstAt"], lastAt: row["lastAt"])
            }
        }.sorted { ($0.alarm ? 0 : 1, $0.host, $0.reason.rawValue, $0.peer) < ($1.alarm ? 0 : 1, $1.host, $1.reason.rawValue, $1.peer) }
    }

    /// `provision up` starts a stage of a host.
    public func beginStage(_ stage: BringUpStage, host: String, now: Date = Date()) throws {
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO install (host, phase, updatedAt, stage, stageOutcome, stageAt) VALUES (?, 'ready', ?, ?, 'running', ?)
                ON CONFLICT(host) DO UPDATE SET stage = excluded.stage, stageOutcome = 'running', stageDetail = NULL,
                  stageAt = excluded.stageAt, updatedAt = excluded.updatedAt
                """, arguments: [host, now, stage.rawValue, now])
        }
    }

    /// A stage of a host ended: its outcome (with the reason when it failed) and how long it
    /// took, on the host's record and as an event. The `ready` stage also disarms the record's
    /// phase to `ready`: the host is installed, converged and boots its disk.
    public func endStage(_ stage: BringUpStage, host: String, outcome: BringUpStage.Outcome, detail: String? = nil, seconds: Double, now: Date = Date()) throws {
        try database.write { db in
            try db.execute(sql: """
                UPDATE install SET stage = ?, stageOutcome = ?, stageDetail = ?, stageAt = ?, updatedAt = ?,
                  phase = CASE WHEN ? THEN 'ready' ELSE phase END
                WHERE host = ?
                """, arguments: [stage.rawValue, outcome.rawValue, detail, now, now, stage == .ready, host])
            try Self.log(db, host: host, event: "up \(stage.rawValue) \(outcome.rawValue)", detail: detail, at: now, seconds: seconds)
        }
    }

    /// Every recorded host; hosts never armed have no record (they are `ready`).
    public func records() throws -> [InstallRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM install ORDER BY host").map(Self.record)
        }
    }

    /// One host's record (`up` polls it for every host while they install: one row, not the table).
    public func record(host: String) throws -> InstallRecord {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM install WHERE host = ?", arguments: [host]).map(Self.record)
        } ?? InstallRecord(host: host, phase: .ready)
    }

    private static func record(_ row: Row) -> InstallRecord {
        InstallRecord(host: row["host"], phase: InstallPhase(rawValue: row["phase"]) ?? .ready, armedAt: row["armedAt"],
                      fetchedAt: row["fetchedAt"], finishedAt: row["finishedAt"], updatedAt: row["updatedAt"],
                      stage: (row["stage"] as String?).flatMap(BringUpStage.init(rawValue:)),
                      stageOutcome: (row["stageOutcome"] as String?).flatMap(BringUpStage.Outcome.init(rawValue:)),
                      stageDetail: row["stageDetail"], stageAt: row["stageAt"], hostKey: row["hostKey"],
                      fetchedFrom: row["fetchedFrom"], failureReason: row["failureReason"])
    }

    /// Hosts whose next network boot starts the installer.
    public func armedHosts() throws -> Set<String> {
        try database.read(Self.armedHosts)
    }

    /// The armed hosts of the state file at `path`, read without creating or changing anything:
    /// none when there is no state file (nothing was ever armed) or it has no install table yet.
    public static func armedHosts(readingOnly path: String) throws -> Set<String> {
        guard let database = try StateDatabase.openForReading(path: path) else { return [] }
        return try database.read { db in try db.tableExists("install") ? try armedHosts(in: db) : [] }
    }

    private static func armedHosts(in db: Database) throws -> Set<String> {
        Set(try Row.fetchAll(db, sql: "SELECT * FROM install").map(record).filter(\.bootsInstaller).map(\.host))
    }

    public struct Event: Sendable, Equatable {
        public var host: String
        public var at: Date
        public var event: String
        public var detail: String?
        /// How long a stage of `provision up` took (its events only).
        public var seconds: Double?
    }

    public func events(host: String? = nil) throws -> [Event] {
        try database.read { db in
            let rows = host == nil
                ? try Row.fetchAll(db, sql: "SELECT * FROM installEvent ORDER BY id")
                : try Row.fetchAll(db, sql: "SELECT * FROM installEvent WHERE host = ? ORDER BY id", arguments: [host])
            return rows.map { Event(host: $0["host"], at: $0["at"], event: $0["event"], detail: $0["detail"], seconds: $0["seconds"]) }
        }
    }

    private static func log(_ db: Database, host: String, event: String, detail: String?, at: Date, seconds: Double? = nil) throws {
        try db.execute(sql: "INSERT INTO installEvent (host, at, event, detail, seconds) VALUES (?, ?, ?, ?, ?)", arguments: [host, at, event, detail, seconds])
    }
}
