// The plan computation of a whole fleet, apart from the network: every host of an inventory
// is evaluated against one real host's recorded probe output, exactly as `provision plan` does
// after its one exec per host (playbook built from the roles, probe script rendered, output
// split and compared, secrets masked). Used by bench/fleet/run.
//
// usage: plan-benchmark INVENTORY RECORDED-PROBE-OUTPUT
import Foundation
import Playbooks
import Provision
import ProvisionSSH

let arguments = CommandLine.arguments
guard arguments.count == 3, let output = try? String(contentsOfFile: arguments[2], encoding: .utf8) else {
    FileHandle.standardError.write(Data("usage: plan-benchmark INVENTORY RECORDED-PROBE-OUTPUT\n".utf8))
    exit(64)
}
func seconds(since start: Date) -> String { String(format: "%.3f s", Date().timeIntervalSince(start)) }

do {
    let start = Date()
    let inventory = try InventoryLoader.load(path: arguments[1])
    let siteRoles = try SitePlaybookLoader.load(for: inventory)
    print("load and validate \(inventory.hosts.count) hosts: \(seconds(since: start))")

    let building = Date()
    let targets = try inventory.hosts.map { Engine.Target(host: $0, playbook: try Roles.playbook(for: $0, siteRoles: siteRoles)) }
    let scripts = targets.reduce(0) { $0 + ProbeScript(for: $1.playbook.resources).text.utf8.count }
    print("build playbooks and probe scripts (\(scripts / targets.count) bytes each): \(seconds(since: building))")

    let planning = Date()
    var states: [String: Int] = [:]
    let options = Engine.Options(mode: .plan, connectors: .standard)
    for target in targets {
        for outcome in Engine.evaluate(target, probeOutput: output, options: options).resources {
            states[outcome.state.nameAndDetail.name, default: 0] += 1
        }
    }
    print("split and compare \(states.values.reduce(0, +)) resources: \(seconds(since: planning)) (\(states.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))")
    print("total: \(seconds(since: start))")
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
