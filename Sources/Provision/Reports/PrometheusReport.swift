import Foundation

/// A textfile for node_exporter's textfile collector: per host, how many resources drifted,
/// failed or are unknown, and whether it was unreachable; for the run, when it finished, how
/// long it took and its exit code. Written atomically (temp + rename), as the collector needs.
public enum PrometheusReport {
    public static func render(_ run: RunSummary, finishedAt: Date = Date()) -> String {
        let mode = run.mode.rawValue
        var lines: [String] = []
        func gauge(_ name: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            lines.append("# HELP provision_\(name) \(help)")
            lines.append("# TYPE provision_\(name) gauge")
            for sample in samples { lines.append("provision_\(name){\(sample.labels)} \(sample.value)") }
        }
        func perHost(_ value: (HostReport) -> Int) -> [(labels: String, value: String)] {
            run.hosts.map { ("mode=\"\(mode)\",host=\"\(label($0.host))\"", String(value($0))) }
        }
        gauge("resources_drifted", "Resources that differ from the desired state (check, plan) or were changed (apply).",
              perHost { $0.drifted.count + $0.changed.count })
        gauge("resources_failed", "Resources whose fix failed.", perHost { $0.failed.count })
        gauge("resources_unknown", "Resources whose state could not be known (unguarded commands, unexpected probe output).",
              perHost { $0.unknown.count })
        gauge("resources_total", "Resources managed on the host.", perHost { $0.resources.count })
        gauge("host_unreachable", "1 when the host could not be reached or probed.", perHost { $0.unreachable != nil ? 1 : 0 })
        gauge("host_locked", "1 when another run held the host's lock, so nothing was done there.", perHost { $0.locked != nil ? 1 : 0 })
        let runLabels = "mode=\"\(mode)\""
        gauge("last_run_timestamp_seconds", "When the run finished (Unix time).", [(runLabels, String(format: "%.3f", finishedAt.timeIntervalSince1970))])
        gauge("last_run_duration_seconds", "How long the run took.", [(runLabels, String(format: "%.3f", run.seconds))])
        gauge("last_run_exit_code", "The run's exit code (0 in sync, 2 drift, 1 failure, 4 unreachable, combined).", [(runLabels, String(run.exitStatus.code))])
        gauge("last_run_interrupted", "1 when the run was interrupted.", [(runLabels, run.interrupted ? "1" : "0")])
        return lines.joined(separator: "\n") + "\n"
    }

    /// A label value with `\`, `"` and newlines escaped, as the exposition format requires.
    static func label(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
