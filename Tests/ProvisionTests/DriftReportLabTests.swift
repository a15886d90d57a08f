import Foundation
import Testing
@testable import Provision

/// `provision check` as cron runs it: no terminal, reports for monitoring.
extension LabSSHTests {
    /// Runs Python from the tools venv (prometheus_client, to read textfiles as node_exporter would).
    func toolsPython(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try run("\(toolsDirectory)/bin/python3", ["-c", script] + arguments)
    }

    @Test("cron check: silent and exit 0 in sync; one line per drift; JSON, JUnit and Prometheus reports say the same; an unreachable host is its own line and metric")
    func cronCheckAndReports() throws {
        let lab = try RunningLab(count: 2)
        defer { lab.stop() }
        let directory = lab.directory.path
        try lab.writeInventory()
        let reports = ["--report", "json=\(directory)/check.json", "--report", "junit=\(directory)/check.xml", "--report", "prometheus=\(directory)/provision.prom"]
        func check() throws -> (status: Int32, output: String) {
            try lab.provision(["check"] + reports)
        }
        /// provision_<metric>{host=...} values as node_exporter's parser reads them.
        func metrics() throws -> [String: Double] {
            let result = try toolsPython("""
                import sys
                from prometheus_client.parser import text_string_to_metric_families
                for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                    for s in family.samples:
                        print(f"{s.name}{{{s.labels.get('host', '')}}} {s.value}")
                """, ["\(directory)/provision.prom"])
            #expect(result.status == 0, "the textfile does not parse: \(result.output)")
            return Dictionary(uniqueKeysWithValues: result.output.split(separator: "\n").map { line in
                let parts = line.split(separator: " ")
                return (String(parts[0]), Double(parts[1]) ?? .nan)
            })
        }
        /// (host, resource, outcome) of every JUnit test case that is not a pass.
        func junitProblems() throws -> [String] {
            let result = try toolsPython("""
                import sys, xml.etree.ElementTree as ET
                for case in ET.parse(sys.argv[1]).getroot().iter("testcase"):
                    for kind in ("failure", "error", "skipped"):
                        if case.find(kind) is not None: print(case.get("classname"), case.get("name"), kind)
                """, ["\(directory)/check.xml"])
            #expect(result.status == 0, "the JUnit file does not parse: \(result.output)")
            return result.output.split(separator: "\n").map(String.init)
        }

        #expect(try lab.provision(["apply"]).status == 2)
        let clean = try check()
        #expect(clean.status == 0 && clean.output.isEmpty, "silent when in sync: \(clean.output)")
        var values = try metrics()
        #expect(values["provision_resources_drifted{lab-1}"] == 0 && values["provision_host_unreachable{lab-2}"] == 0)
        #expect(values["provision_last_run_exit_code{}"] == 0)
        #expect((values["provision_last_run_timestamp_seconds{}"] ?? 0) > Date().timeIntervalSince1970 - 60)
        #expect(try junitProblems().isEmpty)

        _ = try ssh(lab, lab.nodes[1], "echo altered > /etc/motd")
        let drift = try check()
        #expect(drift.status == 2)
        #expect(drift.output == "lab-2  file:/etc/motd  drift: content\n")
        values = try metrics()
        #expect(values["provision_resources_drifted{lab-2}"] == 1 && values["provision_resources_drifted{lab-1}"] == 0)
        #expect(try junitProblems() == ["lab-2 file:/etc/motd failure"])
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(directory)/check.json"))) as! [String: Any]
        #expect(json["version"] as? Int == 1 && json["exit_code"] as? Int == 2 && json["mode"] as? String == "check")

        try lab.powerOff(lab.nodes[0])
        let down = try check()
        #expect(down.status == 6)
        let lines = down.output.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix("lab-1  UNREACHABLE: 127.0.0.11:22: cannot connect") && lines[1] == "lab-2  file:/etc/motd  drift: content",
                "\(down.output)")
        values = try metrics()
        #expect(values["provision_host_unreachable{lab-1}"] == 1 && values["provision_last_run_exit_code{}"] == 6)
        #expect(try junitProblems() == ["lab-1 connect error", "lab-2 file:/etc/motd failure"])

        // The history: since when lab-2 drifts (the first check that found it, not the latest).
        let history = try lab.provision(["history", "lab-2"])
        #expect(history.status == 0, "\(history.output)")
        let lines2 = history.output.split(separator: "\n").map(String.init)
        let runs = lines2.filter { $0.contains("  run ") }
        #expect(runs.count == 4 && runs[0].contains("apply  changed") && runs[1].contains("check  ok") && runs[3].contains("check  drift"), "\(history.output)")
        let since = try #require(runs[2].split(separator: " ").prefix(2).joined(separator: " ") as String?)
        #expect(lines2.last == "    file:/etc/motd  since \(since): content", "\(history.output)")
        let all = try lab.provision(["history", "--since", "1h", "--json"])
        let document = try JSONSerialization.jsonObject(with: Data(all.output.utf8)) as! [String: Any]
        #expect((document["runs"] as! [[String: Any]]).map { $0["exit_code"] as! Int } == [6, 2, 0, 2])
    }
}
