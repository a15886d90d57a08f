import Foundation

/// The machine-readable report of a run (`--json`, `--report json=FILE`). The schema is
/// documented in docs/drift.md; `version` changes only when a field changes meaning or goes.
public enum JSONReport {
    public static let version = 1

    public static func render(_ run: RunSummary) -> String {
        let hosts: [[String: Any]] = run.hosts.map { report in
            var entry: [String: Any] = ["host": report.host, "execs": report.execs, "seconds": report.seconds]
            if let reason = report.unreachable { entry["unreachable"] = reason }
            if let reason = report.notStarted { entry["not_started"] = reason }
            if let holder = report.locked { entry["locked_by"] = holder }
            if let cost = report.probeCost { entry["probe"] = ["seconds_on_host": cost.seconds, "processes": cost.processes] }
            entry["warnings"] = report.warnings
            entry["resources"] = report.resources.map { outcome -> [String: Any] in
                let (state, detail) = outcome.state.nameAndDetail
                var item: [String: Any] = ["kind": outcome.kind, "name": outcome.name, "state": state]
                if let detail { item["detail"] = detail }
                if let diff = outcome.diff { item["diff"] = diff }
                return item
            }
            entry["handlers_run"] = report.handlersRun
            entry["handler_failures"] = report.handlerFailures
            return entry
        }
        let document: [String: Any] = [
            "version": version, "mode": run.mode.rawValue, "exit_code": run.exitStatus.code, "interrupted": run.interrupted,
            "started_at": ISO8601DateFormatter().string(from: run.startedAt), "duration_seconds": run.seconds, "hosts": hosts,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
