import Foundation
import Provision

/// `history`: the recorded check, plan and apply runs, newest first; or, for a host, every run
/// that reached it, oldest first, with what each found, and what drifts now and since when.
/// As text for people or JSON for scripts.
public enum RunHistoryReport {
    /// The runs since a time, at most `limit`.
    public static func runs(since: Date?, limit: Int, in workspace: Workspace, json: Bool) throws(UseCaseFailure) -> String {
        let store = try workspace.runHistoryStore()
        let runs: [RunHistoryStore.Run]
        do { runs = try store.runs(since: since, limit: limit) } catch { throw .failed("cannot read the history in \(workspace.state): \(error)") }
        if json { return encode(["version": 1, "runs": runs.map(object)]) }
        let rows = runs.map { [String($0.id), TimeFormat.text($0.startedAt), $0.mode, String(format: "%.1f s", $0.seconds),
                               String($0.hosts), String($0.exitCode) + ($0.interrupted ? " (interrupted)" : ""), $0.user] }
        return TextTable.render(header: ["RUN", "STARTED", "MODE", "TOOK", "HOSTS", "EXIT", "BY"], rows: rows) + "\n"
    }

    /// A host's runs since a time; the host must be in the inventory.
    public static func host(_ name: String, since: Date?, in workspace: Workspace, json: Bool) throws(UseCaseFailure) -> String {
        let store = try workspace.runHistoryStore()
        _ = try workspace.hosts(named: [name], in: try workspace.loadInventory())
        let entries: [RunHistoryStore.HostEntry]
        do { entries = try store.history(of: name, since: since) } catch { throw .failed("cannot read the history in \(workspace.state): \(error)") }
        return json ? self.json(host: name, entries) : text(host: name, entries)
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
