import Foundation
import GRDB

/// The install state of every host, in one SQLite file (mode 0600: it holds live tokens).
/// Each transition is one transaction, so a crash or a restart of the server loses nothing.
public final class InstallStateStore: Sendable {
    private let database: DatabaseQueue
    public let path: String

    public init(path: String) throws {
        self.path = path
        database = try StateDatabase.open(path: path)
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
                      stage = NULL, stageOutcome = NULL, stageDetail = NULL, stageAt = NULL, hostKey = NULL
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

    /// The installer of an armed host fetched its install file: returns the token to put in it,
    /// or nil when the host is not armed (it must then get nothing).
    public func recordFetch(host: String, now: Date = Date()) throws -> InstallToken? {
        try database.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT phase, token FROM install WHERE host = ?", arguments: [host]),
                  let phase = InstallPhase(rawValue: row["phase"]), phase == .armed || phase == .installing,
                  let token: String = row["token"] else { return nil }
            if phase == .armed {
                try db.execute(sql: "UPDATE install SET phase = 'installing', fetchedAt = ?, updatedAt = ? WHERE host = ?", arguments: [now, now, host])
                try Self.log(db, host: host, event: "fetched", detail: nil, at: now)
            }
            return InstallToken(value: token)
        }
    }

    public enum CallbackOutcome: Sendable, Equatable {
        case accepted
        /// The host is not armed (never was, or already reported: a replay).
        case notArmed
        case wrongToken
    }

    /// The installer reports its end with the host's token, and (on success) the host's SSH
    /// key. Accepted once: the host is disarmed and the token dropped, so the same callback
    /// again is refused.
    public func finish(host: String, presented: String, succeeded: Bool, hostKey: SSHHostKey? = nil, from peer: String, now: Date = Date()) throws -> CallbackOutcome {
        try database.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT phase, token FROM install WHERE host = ?", arguments: [host]),
                  let phase = InstallPhase(rawValue: row["phase"]), phase == .armed || phase == .installing,
                  let token: String = row["token"] else {
                try Self.log(db, host: host, event: "refused", detail: "callback from \(peer): host is not armed (replayed or unsolicited)", at: now)
                return .notArmed
            }
            guard InstallToken(value: token).matches(presented) else {
                try Self.log(db, host: host, event: "refused", detail: "callback from \(peer): wrong token", at: now)
                return .wrongToken
            }
            let newPhase: InstallPhase = succeeded ? .installed : .failed
            try db.execute(sql: "UPDATE install SET phase = ?, token = NULL, finishedAt = ?, updatedAt = ?, hostKey = ? WHERE host = ?",
                           arguments: [newPhase.rawValue, now, now, hostKey?.knownHostsKey, host])
            let key = hostKey.map { ", host key \($0.type) \($0.fingerprint)" } ?? ""
            try Self.log(db, host: host, event: newPhase.rawValue, detail: "callback from \(peer)\(key)", at: now)
            return .accepted
        }
    }

    /// A callback refused before its token was looked at (a malformed body): logged, nothing changes.
    public func refuse(host: String, reason: String, from peer: String, now: Date = Date()) throws {
        try database.write { db in
            try Self.log(db, host: host, event: "refused", detail: "callback from \(peer): \(reason)", at: now)
        }
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
                      stageDetail: row["stageDetail"], stageAt: row["stageAt"], hostKey: row["hostKey"])
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
