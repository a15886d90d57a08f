import Foundation

/// A JUnit XML report: one test suite per host, one test case per resource, so CI dashboards
/// show drift as failures. Drift is a `failure`, a failed resource or unreachable host an
/// `error`, an unknown state or a resource skipped (after a failure, or an interruption) `skipped`.
public enum JUnitReport {
    public static func render(_ run: RunSummary) -> String {
        var suites: [String] = []
        var totals = (tests: 0, failures: 0, errors: 0, skipped: 0)
        for report in run.hosts {
            var cases: [String] = []
            var counts = (tests: 0, failures: 0, errors: 0, skipped: 0)
            func add(_ name: String, _ body: String = "") {
                counts.tests += 1
                cases.append("    <testcase classname=\"\(escape(report.host))\" name=\"\(escape(name))\"\(body.isEmpty ? "/>" : ">\(body)</testcase>")")
            }
            if let reason = report.unreachable ?? report.notStarted ?? report.locked.map({ "locked by another run: \($0)" }) {
                counts.errors += 1
                add("connect", "<error message=\"\(escape(reason))\"/>")
            }
            for outcome in report.resources {
                switch outcome.state {
                case .inSync, .changed:
                    add(outcome.id)
                case .drift(let what):
                    counts.failures += 1
                    let text = outcome.diff.map { escape($0) } ?? ""
                    add(outcome.id, "<failure message=\"\(escape("drift: \(what)"))\">\(text)</failure>")
                case .failed(let why):
                    counts.errors += 1
                    add(outcome.id, "<error message=\"\(escape(why))\"/>")
                case .unknown(let why), .skipped(let why):
                    counts.skipped += 1
                    add(outcome.id, "<skipped message=\"\(escape(why))\"/>")
                }
            }
            for failure in report.handlerFailures {
                counts.errors += 1
                add("handler", "<error message=\"\(escape(failure))\"/>")
            }
            totals = (totals.tests + counts.tests, totals.failures + counts.failures, totals.errors + counts.errors, totals.skipped + counts.skipped)
            suites.append("""
                  <testsuite name="\(escape(report.host))" tests="\(counts.tests)" failures="\(counts.failures)" errors="\(counts.errors)" skipped="\(counts.skipped)" time="\(String(format: "%.3f", report.seconds))">
                \(cases.joined(separator: "\n"))
                  </testsuite>
                """)
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="provision \(run.mode.rawValue)" tests="\(totals.tests)" failures="\(totals.failures)" errors="\(totals.errors)" skipped="\(totals.skipped)" time="\(String(format: "%.3f", run.seconds))" timestamp="\(ISO8601DateFormatter().string(from: run.startedAt))">
            \(suites.joined(separator: "\n"))
            </testsuites>

            """
    }

    /// XML attribute and text escaping; control characters (other than tab and newline) that
    /// XML 1.0 cannot carry are dropped.
    static func escape(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "\n": result += "&#10;"
            case "\t": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20: continue
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
