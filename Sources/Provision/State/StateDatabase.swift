import Foundation
import GRDB

/// The controller's one SQLite state file (mode 0600: it holds live install tokens), with
/// every table's migrations in one place, so each store opens it the same way.
enum StateDatabase {
    static func open(path: String) throws -> DatabaseQueue {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let existed = FileManager.default.fileExists(atPath: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let database = try DatabaseQueue(path: path, configuration: configuration)
        if !existed { chmod(path, 0o600) }
        try migrator.migrate(database)
        return database
    }

    /// The state file opened only to read it, creating nothing (no directory, no file, no
    /// migration): for what promises to write nothing, such as `netboot render --check`. Nil
    /// when there is no state file yet. A file of an older version reads as far as it goes.
    static func openForReading(path: String) throws -> DatabaseQueue? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "install") { table in
                table.primaryKey("host", .text)
                table.column("phase", .text).notNull()
                table.column("token", .text)
                table.column("armedAt", .datetime)
                table.column("fetchedAt", .datetime)
                table.column("finishedAt", .datetime)
                table.column("updatedAt", .datetime)
            }
            try db.create(table: "installEvent") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("host", .text).notNull()
                table.column("at", .datetime).notNull()
                table.column("event", .text).notNull()
                table.column("detail", .text)
            }
        }
        migrator.registerMigration("v2-run-history") { db in
            try db.create(table: "run") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("mode", .text).notNull()
                table.column("startedAt", .datetime).notNull().indexed()
                table.column("seconds", .double).notNull()
                table.column("user", .text).notNull()
                table.column("controller", .text).notNull()
                table.column("command", .text).notNull()
                table.column("exitCode", .integer).notNull()
                table.column("interrupted", .boolean).notNull()
            }
            // One row per host of a run; resources only when not in sync (a host that was
            // probed and has no row of a resource had it in sync).
            try db.create(table: "runHost") { table in
                table.column("runId", .integer).notNull().references("run", onDelete: .cascade)
                table.column("host", .text).notNull().indexed()
                table.column("outcome", .text).notNull()
                table.column("reason", .text)
                table.column("seconds", .double).notNull()
                table.primaryKey(["runId", "host"])
            }
            try db.create(table: "runResource") { table in
                table.column("runId", .integer).notNull().references("run", onDelete: .cascade)
                table.column("host", .text).notNull()
                table.column("resource", .text).notNull()
                table.column("state", .text).notNull()
                table.column("detail", .text)
            }
            try db.create(index: "runResourceByHost", on: "runResource", columns: ["host", "runId"])
        }
        // `provision up`: the stage each host is at and how it went, the host key its installer
        // reported with the callback, and how long each stage took.
        migrator.registerMigration("v3-bring-up") { db in
            try db.alter(table: "install") { table in
                table.add(column: "stage", .text)
                table.add(column: "stageOutcome", .text)
                table.add(column: "stageDetail", .text)
                table.add(column: "stageAt", .datetime)
                table.add(column: "hostKey", .text)
            }
            try db.alter(table: "installEvent") { table in
                table.add(column: "seconds", .double)
            }
        }
        // The install server's binding of a host to the address that fetched its install file,
        // a failed install's reason, and its refused requests, counted (bounded, see RefusalTally).
        migrator.registerMigration("v4-install-binding") { db in
            try db.alter(table: "install") { table in
                table.add(column: "fetchedFrom", .text)
                table.add(column: "failureReason", .text)
            }
            try db.create(table: "installRefusal") { table in
                table.column("host", .text).notNull()
                table.column("reason", .text).notNull()
                table.column("peer", .text).notNull()
                table.column("count", .integer).notNull()
                table.column("firstAt", .datetime).notNull()
                table.column("lastAt", .datetime).notNull()
                table.primaryKey(["host", "reason", "peer"])
            }
        }
        return migrator
    }
}
