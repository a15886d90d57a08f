import Foundation
import Testing
@testable import Provision

/// The run history in a real SQLite file: what it records, since when a resource drifts, pruning.
@Suite("Run history", .tags(.small))
struct RunHistoryTests {
    let invocation = RunHistoryStore.Invocation(user: "ops", controller: "ctl-1", command: "provision check")

    func report(_ host: String, _ states: [String: ResourceOutcome.State] = [:], unreachable: String? = nil) -> HostReport {
        var report = HostReport(host: host)
        report.unreachable = unreachable
        report.resources = states.sorted { $0.key < $1.key }.map { ResourceOutcome(kind: "file", name: $0.key, state: $0.value) }
        return report
    }

    func run(_ mode: Engine.Mode, at hour: Double, _ hosts: [HostReport]) -> RunSummary {
        RunSummary(mode: mode, startedAt: Date(timeIntervalSince1970: 1_800_000_000 + hour * 3600), seconds: 1.5, hosts: hosts)
    }

    @Test("drifting since: the first run of an unbroken drift; an unreachable run does not break it, a repair or an in-sync check does")
    func driftingSince() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RunHistoryStore(path: "\(directory.path)/state.sqlite")
        let runs = [
            run(.check, at: 0, [report("kvm-1", ["/etc/motd": .inSync, "/etc/issue": .inSync])]),
            run(.check, at: 1, [report("kvm-1", ["/etc/motd": .drift("content"), "/etc/issue": .inSync])]),
            run(.check, at: 2, [report("kvm-1", unreachable: "cannot connect")]),
            run(.check, at: 3, [report("kvm-1", ["/etc/motd": .drift("content, mode 600 → 0644"), "/etc/issue": .drift("content")])]),
            run(.apply, at: 4, [report("kvm-2", ["/etc/motd": .changed("create")])]),
            run(.check, at: 5, [report("kvm-1", ["/etc/motd": .drift("content"), "/etc/issue": .inSync]), report("kvm-2")]),
        ]
        for summary in runs { try store.record(summary, by: invocation) }

        let history = try store.history(of: "kvm-1")
        #expect(history.map(\.outcome) == ["ok", "drift", "unreachable", "drift", "drift"])
        #expect(history[3].resources == [.init(resource: "file:/etc/issue", state: "drift", detail: "content"),
                                         .init(resource: "file:/etc/motd", state: "drift", detail: "content, mode 600 → 0644")])
        let drifting = RunHistoryStore.driftingSince(history)
        #expect(drifting.map(\.resource) == ["file:/etc/motd"])
        #expect(drifting.first?.since == runs[1].startedAt, "drifting since the check at hour 1, through the unreachable run")
        #expect(drifting.first?.detail == "content", "what differs now")

        // What did the last apply change?
        let lastApply = try #require(try store.history(of: "kvm-2").last { $0.run.mode == "apply" })
        #expect(lastApply.resources == [.init(resource: "file:/etc/motd", state: "changed", detail: "create")])
        #expect(lastApply.run.user == "ops" && lastApply.run.hosts == 1)

        #expect(try store.runs().map(\.mode) == ["check", "apply", "check", "check", "check", "check"])
        #expect(try store.runs(since: runs[4].startedAt).count == 2)

        // A repair ends the drift; drifting again starts a new one.
        let repair = run(.apply, at: 6, [report("kvm-1", ["/etc/motd": .changed("content")])])
        let again = run(.check, at: 7, [report("kvm-1", ["/etc/motd": .drift("mode 600 → 0644")])])
        try store.record(repair, by: invocation)
        try store.record(again, by: invocation)
        #expect(RunHistoryStore.driftingSince(try store.history(of: "kvm-1")).first?.since == again.startedAt)

        #expect(try store.prune(before: runs[3].startedAt) == 3)
        #expect(try store.history(of: "kvm-1").count == 4, "the pruned runs' hosts and resources went with them")
    }
}
