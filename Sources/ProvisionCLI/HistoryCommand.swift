import ArgumentParser
import Foundation
import Provision

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show recorded check, plan and apply runs; for a host, what each found and since when it drifts.",
        discussion: """
            Without HOST: the runs, newest first (who, when, how many hosts, exit code). With HOST: every run \
            that reached it, oldest first, with the resources that were not in sync (drifted, changed, failed), \
            then each resource drifting now and the run since which it has drifted without a break.
            """)

    @OptionGroup var options: InventoryOptions

    @Argument(help: "A host of the inventory.")
    var host: String?

    @Option(help: ArgumentHelp("Only runs since a date (2026-11-20), a time (2026-11-20T10:00:00Z) or an age (12h, 7d).", valueName: "when"))
    var since: String?

    @Option(help: "At most this many runs (without HOST).")
    var last = 50

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let since = try self.since.map { text -> Date in
                guard let date = TimeFormat.since(text) else { throw Failure.invalidInput("--since '\(text)' is not a date, a time or an age like 12h or 7d") }
                return date
            }
            let store: RunHistoryStore
            do { store = try RunHistoryStore(path: options.state) } catch {
                throw Failure.failed("cannot open the state file \(options.state): \(error)")
            }
            if let host {
                _ = try options.hosts(named: [host], in: try options.load())
                let entries = try store.history(of: host, since: since)
                print(json ? Self.json(host: host, entries) : Self.text(host: host, entries), terminator: "")
            } else {
                let runs = try store.runs(since: since, limit: last)
                if json {
                    print(Self.encode(["version": 1, "runs": runs.map(Self.object)]), terminator: "")
                } else {
                    let rows = runs.map { [String($0.id), TimeFormat.text($0.startedAt), $0.mode, String(format: "%.1f s", $0.seconds),
                                           String($0.hosts), String($0.exitCode) + ($0.interrupted ? " (interrupted)" : ""), $0.user] }
                    print(TextTable.render(header: ["RUN", "STARTED", "MODE", "TOOK", "HOSTS", "EXIT", "BY"], rows: rows))
                }
            }
        }
    }

    static func text(host: String, _ entries: [RunHistoryStore.HostEntry]) -> String {
        guard !entries.isEmpty else { return "no recorded run reached \(host)\n" }
        var lines: [String] = []
        for entry in entries {
            let run = entry.run
            lines.append("\(TimeFormat.text(run.startedAt))  run \(run.id)  \(run.mode)  \(entry.outcome)\(entry.reason.map { ": \($0)" } ?? "")  (by \(run.user))")
            for resource in entry.resources {
                lines.append("    \(resource.resource)  \(resource.state)\(resource.detail.map { ": \($0)" } ?? "")")
            }
        }
        let drifting = RunHistoryStore.driftingSince(entries)
        lines.append("")
        if drifting.isEmpty {
            lines.append("\(host): nothing drifting as of the last run that reached it")
        } else {
            lines.append("\(host): drifting now")
            for item in drifting {
                lines.append("    \(item.resource)  since \(TimeFormat.text(item.since))\(item.detail.map { ": \($0)" } ?? "")")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func json(host: String, _ entries: [RunHistoryStore.HostEntry]) -> String {
        let formatter = ISO8601DateFormatter()
        return encode([
            "version": 1, "host": host,
            "runs": entries.map { entry -> [String: Any] in
                var item = object(entry.run)
                item["outcome"] = entry.outcome
                if let reason = entry.reason { item["reason"] = reason }
                item["resources"] = entry.resources.map { resource -> [String: Any] in
                    var value: [String: Any] = ["resource": resource.resource, "state": resource.state]
                    if let detail = resource.detail { value["detail"] = detail }
                    return value
                }
                return item
            },
            "drifting": RunHistoryStore.driftingSince(entries).map { item -> [String: Any] in
                var value: [String: Any] = ["resource": item.resource, "since": formatter.string(from: item.since)]
                if let detail = item.detail { value["detail"] = detail }
                return value
            },
        ])
    }

    static func object(_ run: RunHistoryStore.Run) -> [String: Any] {
        ["run": run.id, "mode": run.mode, "started_at": ISO8601DateFormatter().string(from: run.startedAt), "seconds": run.seconds,
         "user": run.user, "controller": run.controller, "command": run.command, "exit_code": run.exitCode,
         "interrupted": run.interrupted, "hosts": run.hosts]
    }

    static func encode(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
