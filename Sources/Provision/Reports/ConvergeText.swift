import Foundation

/// How check, plan and apply print their results for people: a line per host as it finishes,
/// then the resources that differ, then a summary table (`JSONReport` is the one for scripts).
public enum ConvergeText {
    public static func progressLine(_ report: HostReport, mode: Engine.Mode) -> String {
        if let reason = report.unreachable { return "\(report.host): UNREACHABLE: \(reason)" }
        if let holder = report.locked { return "\(report.host): LOCKED by another run: \(holder)" }
        let differing = mode == .apply ? "\(report.changed.count) changed" : "\(report.drifted.count) to change"
        return String(format: "%@: %@, %d failed, %d unknown (%.2f s)", report.host, differing, report.failed.count, report.unknown.count, report.seconds)
    }

    /// Every resource that is not in sync, every handler that ran or failed, and every host
    /// left out, one line each (with diffs after their line when asked for).
    static func lines(_ reports: [HostReport], mode: Engine.Mode, diffs: Bool, colours: Bool) -> [String] {
        var lines: [String] = []
        for report in reports {
            for outcome in report.resources {
                switch outcome.state {
                case .inSync: continue
                case .drift(let what): lines.append("\(report.host)  \(outcome.id)  \(mode == .check ? "drift" : "would change"): \(what)")
                case .changed(let what): lines.append("\(report.host)  \(outcome.id)  changed: \(what)")
                case .failed(let why): lines.append("\(report.host)  \(outcome.id)  FAILED: \(why)")
                case .unknown(let why): lines.append("\(report.host)  \(outcome.id)  unknown: \(why)")
                case .skipped(let what): lines.append("\(report.host)  \(outcome.id)  skipped: \(what)")
                }
                if diffs, let diff = outcome.diff { lines.append((colours ? coloured(diff) : diff).trimmingCharacters(in: .newlines)) }
            }
            for name in report.handlersRun { lines.append("\(report.host)  handler '\(name)' ran") }
            for failure in report.handlerFailures { lines.append("\(report.host)  handler FAILED: \(failure)") }
        }
        for report in reports {
            if let why = report.notStarted { lines.append("\(report.host)  \(why)") }
            if let holder = report.locked { lines.append("\(report.host)  LOCKED by another run, nothing done: \(holder)") }
            for warning in report.warnings { lines.append("\(report.host)  warning: \(warning)") }
        }
        return lines
    }

    /// For cron: nothing when all is in sync; otherwise one line per thing that is not (the
    /// unreachable hosts too), each a single line even when a command's error output was not.
    public static func quiet(_ reports: [HostReport], mode: Engine.Mode) -> String {
        let unreachable = reports.compactMap { report in report.unreachable.map { "\(report.host)  UNREACHABLE: \($0)" } }
        return (unreachable + lines(reports, mode: mode, diffs: false, colours: false)).map { line in
            line.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " | ")
        }.map { $0 + "\n" }.joined()
    }

    /// Lines, then a summary table of every host; diffs in red and green when `colours`.
    public static func text(_ reports: [HostReport], mode: Engine.Mode, colours: Bool) -> String {
        let lines = lines(reports, mode: mode, diffs: true, colours: colours)
        let rows = reports.map { report -> [String] in
            guard report.unreachable == nil else { return [report.host, "-", "-", "-", "-", "unreachable"] }
            guard report.notStarted == nil else { return [report.host, "-", "-", "-", "-", "not started"] }
            guard report.locked == nil else { return [report.host, "-", "-", "-", "-", "locked"] }
            let differing = mode == .apply ? report.changed.count : report.drifted.count
            let state = !report.failed.isEmpty ? "failed" : differing > 0 ? (mode == .apply ? "changed" : "drift") : "ok"
            return [report.host, String(report.resources.count - differing - report.failed.count - report.unknown.count), String(differing),
                    String(report.unknown.count), String(report.failed.count), state]
        }
        let header = ["HOST", "OK", mode == .apply ? "CHANGED" : "DIFFER", "UNKNOWN", "FAILED", "STATE"]
        return (lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n\n") + TextTable.render(header: header, rows: rows)
    }

    /// Red removals and green additions.
    static func coloured(_ diff: String) -> String {
        diff.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            if line.hasPrefix("+") && !line.hasPrefix("+++") { return "\u{1B}[32m\(line)\u{1B}[0m" }
            if line.hasPrefix("-") && !line.hasPrefix("---") { return "\u{1B}[31m\(line)\u{1B}[0m" }
            return String(line)
        }.joined(separator: "\n")
    }
}
