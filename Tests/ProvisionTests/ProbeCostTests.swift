import Foundation
import Testing
@testable import Provision

/// What a probe script costs the host, as the host measures it around the probes.
@Suite("Probe cost", .tags(.small))
struct ProbeCostTests {
    @Test("run by a real shell, the script reports its time and at least one process per probe (each runs in a subshell)")
    func measuredByTheShell() throws {
        let script = ProbeScript(probes: [.script("echo one"), .script("true"), .script("sleep 0.2")])
        let result = try run("/bin/sh", ["-c", script.text])
        #expect(result.status == 0, "\(result.output)")
        let cost = try #require(ProbeScript.cost(in: result.output), "\(result.output)")
        #expect(cost.processes >= 3, "a subshell per probe (sleep replaces its own): \(cost)")
        #expect(cost.seconds >= 0.19 && cost.seconds < 30, "\(cost)")
        #expect(script.read(result.output).states == ["one", "", ""], "the cost lines leave the sections alone")
    }

    @Test("a missing, cut or garbled cost line is no cost; a counter that went backwards is none either")
    func strictFraming() {
        #expect(ProbeScript.cost(in: "\n@@provision-probe-cost 100.25 100.75 4000 4061@@\n") == ProbeScript.Cost(seconds: 0.5, processes: 61))
        #expect(ProbeScript.cost(in: "no cost line") == nil)
        #expect(ProbeScript.cost(in: "\n@@provision-probe-cost 100.25 100.75 4000") == nil, "cut short")
        #expect(ProbeScript.cost(in: "\n@@provision-probe-cost 100.25 100.75 4000 x@@\n") == nil)
        #expect(ProbeScript.cost(in: "\n@@provision-probe-cost   @@\n") == nil, "a host without /proc prints empty fields")
        #expect(ProbeScript.cost(in: "\n@@provision-probe-cost 100.25 100.75 32760 12@@\n") == nil, "PIDs wrapped around")
    }
}
