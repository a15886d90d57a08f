import Foundation
import GRDB

/// Every check, plan and apply, in the controller's state file: who ran it, when, on which
/// hosts, and per host and resource what was not in sync. It answers "since when has this
/// drifted" and "what did the last apply change". Runs older than the retention are pruned.
public final class RunHistoryStore: Sendable {
    private let database: DatabaseQueue

    public init(path: String) throws {
        database = try StateDatabase.open(path: path)
    }

    /// One recorded run.
    public struct Run: Sendable, Equatable {
        public var id: Int64
        public var mode: String
        public var startedAt: Date
        public var seconds: Double
        public var user: String
        public var controller: String
        public var command: String
        public var exitCode: Int
        public var interrupted: Bool
        public var hosts: Int
    }

    /// What one run found on one host.
    public struct HostEntry: Sendable, Equatable {
        public var run: Run
        /// `ok`, `drift`, `changed`, `failed`, `unreachable`, `not_started` or `locked`.
        public var outcome: String
        public var reason: String?
        public var resources: [ResourceEntry]
    }

    public struct ResourceEntry: Sendable, Equatable {
        public var resource: String
        public var state: String
        public var detail: String?
    }

    /// Who ran a command: the login (the sudo caller when run through sudo), the machine, and
    /// the command line.
    public struct Invocation: Sendable {
        public var user: String
        public var controller: String
        public var command: String

        public init(user: String, controller: String, command: String) {
            self.user = user
            self.controller = controller
            self.command = command
        }

        /// How a lock record names this run: `alice on ctl-1 pid 4242: provision apply`.
        public var holder: String { "\(user) on \(controller) pid \(getpid()): \(command)" }

        public static var current: Invocation {
            let environment = ProcessInfo.processInfo.environment
            let login = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? String(geteuid())
            let user = environment["SUDO_USER"].map { "\($0) (via sudo as \(login))" } ?? login
            return Invocation(user: user, controller: ProcessInfo.processInfo.hostName,
                              command: CommandLine.arguments.map { Shell.quote($0) }.joined(separator: " "))
        }
    }

    @discardableResult
    public func record(_ summary: RunSummary, by invocation: Invocation) throws -> Int64 {
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO run (mode, startedAt, seconds, user, controller, command, exitCode, interrupted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [summary.mode.rawValue, summary.startedAt, summary.seconds, invocation.user, invocation.controller,
                                 invocation.command, Int(summary.exitStatus.code), summary.interrupted])
            let id = db.lastInsertedRowID
            for report in summary.hosts {
                try db.execute(sql: "INSERT INTO runHost (runId, host, outcome, reason, seconds) VALUES (?, ?, ?, ?, ?)",
                               arguments: [id, report.host, Self.outcome(of: report), report.unreachable ?? report.notStarted ?? report.locked, report.seconds])
                for outcome in report.resources where outcome.state != .inSync {
                    let (state, detail) = outcome.state.nameAndDetail
                    try db.execute(sql: "INSERT INTO runResource (runId, host, resource, state, detail) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [id, report.host, outcome.id, state, detail])
                }
            }
            return id
        }
    }

    static func outcome(of report: HostReport) -> String {
        if report.unreachable != nil { return "unreachable" }
        if report.notStarted != nil { return "not_started" }
        if report.locked != nil { return "locked" }
        if !report.failed.isEmpty || !report.handlerFailures.isEmpty { return "failed" }
        if !report.drifted.isEmpty { return "drift" }
        if !report.changed.isEmpty { return "changed" }
        return "ok"
    }

    /// Removes the runs that started before `date`; returns how many.
    @discardableResult
    public func prune(before date: Date) throws -> Int {
        try database.write { db in
            try db.execute(sql: "DELETE FROM run WHERE startedAt < ?", arguments: [date])
            return db.changesCount
        }
    }

    /// Runs since a date, newest first.
    public func runs(since: Date? = nil, limit: Int = 50) throws -> [Run] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT run.*, (SELECT COUNT(*) FROM runHost WHERE runId = run.id) AS hosts FROM run
                WHERE startedAt >= ? ORDER BY startedAt DESC, id DESC LIMIT ?
                """, arguments: [since ?? Date.distantPast, limit]).map(Self.run)
        }
    }

    /// What every run since a date found on one host, oldest first.
    public func history(of host: String, since: Date? = nil) throws -> [HostEntry] {
        try database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT run.*, (SELECT COUNT(*) FROM runHost WHERE runId = run.id) AS hosts, runHost.outcome, runHost.reason
                FROM run JOIN runHost ON runHost.runId = run.id
                WHERE runHost.host = ? AND run.startedAt >= ? ORDER BY run.startedAt, run.id
                """, arguments: [host, since ?? Date.distantPast])
            var resources: [Int64: [ResourceEntry]] = [:]
            let resourceRows = try Row.fetchAll(db, sql: """
                SELECT runResource.* FROM runResource JOIN run ON run.id = runResource.runId
                WHERE runResource.host = ? AND run.startedAt >= ? ORDER BY runResource.rowid
                """, arguments: [host, since ?? Date.distantPast])
            for row in resourceRows {
                resources[row["runId"], default: []].append(ResourceEntry(resource: row["resource"], state: row["state"], detail: row["detail"]))
            }
            return rows.map { row in
                let run = Self.run(row)
                return HostEntry(run: run, outcome: row["outcome"], reason: row["reason"], resources: resources[run.id] ?? [])
            }
        }
    }

    /// The resources drifting in the host's latest probed run, each with the start of its
    /// unbroken run of drift: the first run that found it drifting since a run that found it
    /// in sync (or changed it). Runs that could not probe the host neither start nor end one.
    public static func driftingSince(_ entries: [HostEntry]) -> [(resource: String, since: Date, detail: String?)] {
        var since: [String: Date] = [:]
        var current: [String: String?] = [:]
        for entry in entries where !["unreachable", "not_started", "locked"].contains(entry.outcome) {
            let drifting = Dictionary(entry.resources.filter { $0.state == "drift" }.map { ($0.resource, $0.detail) }, uniquingKeysWith: { first, _ in first })
            since = since.filter { drifting[$0.key] != nil }
            for resource in drifting.keys where since[resource] == nil { since[resource] = entry.run.startedAt }
            current = drifting
        }
        return since.keys.sorted().map { ($0, since[$0]!, current[$0] ?? nil) }
    }

    private static func run(_ row: Row) -> Run {
        Run(id: row["id"], mode: row["mode"], startedAt: row["startedAt"], seconds: row["seconds"], user: row["user"],
            controller: row["controller"], command: row["command"], exitCode: row["exitCode"], interrupted: row["interrupted"],
            hosts: row["hosts"])
    }
}
