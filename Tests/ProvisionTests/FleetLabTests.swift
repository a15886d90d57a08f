import Foundation
import Testing
@testable import Provision

extension LabSSHTests {
    @Test("100 light nodes: apply converges every one, a full no-op check reports every host in sync in one exec each, and three shards split them exactly")
    func hundredNodes() throws {
        let lab = try RunningLab(count: 100, light: true)
        defer { lab.stop() }
        try lab.writeInventory {
            $0.replacingOccurrences(of: "site:\n", with: "site:\n  playbooks: [\(Fixtures.repository)/bench/fleet/fleet.yml]\n")
                .replacing(#/roles: \[\][^\n]*/#, with: "roles: [fleet]")
        }
        // A hundred SSH handshakes at once on a two-core machine: one took more than the default
        // 10 s to authenticate under load (2026-12-02); what this test is about is not that limit.
        let apply = try lab.provision(["apply", "--concurrency", "100", "--connect-timeout", "30", "--json"])
        let applied = try JSONSerialization.jsonObject(with: Data(apply.output.utf8)) as! [String: Any]
        let applyHosts = applied["hosts"] as! [[String: Any]]
        #expect(apply.status == 2 && applyHosts.count == 100, "\(apply.output.suffix(2000))")
        // Everything but the package (openssh-server is there already) changed on every node.
        #expect(applyHosts.allSatisfy { host in
            let states = (host["resources"] as! [[String: Any]]).map { $0["state"] as! String }
            return host["unreachable"] == nil && states.filter { $0 == "changed" }.count == 9 && states.filter { $0 == "in_sync" }.count == 1
        })

        let check = try lab.provision(["check", "--concurrency", "100", "--connect-timeout", "30", "--json"])
        let checked = try JSONSerialization.jsonObject(with: Data(check.output.utf8)) as! [String: Any]
        let hosts = checked["hosts"] as! [[String: Any]]
        #expect(check.status == 0, "\(check.output.suffix(2000))")
        #expect(Set(hosts.map { $0["host"] as! String }) == Set(lab.nodes.map(\.name)), "every host reported")
        #expect(hosts.allSatisfy { $0["execs"] as? Int == 1 && ($0["resources"] as! [[String: Any]]).count == 10 })

        var seen: [String] = []
        for index in 1...3 {
            let shard = try lab.provision(["check", "--shard", "\(index)/3", "--json"])
            let document = try JSONSerialization.jsonObject(with: Data(shard.output.utf8)) as! [String: Any]
            seen += (document["hosts"] as! [[String: Any]]).map { $0["host"] as! String }
        }
        #expect(seen.sorted() == lab.nodes.map(\.name).sorted(), "the shards together are the fleet, each host once")
    }
}
