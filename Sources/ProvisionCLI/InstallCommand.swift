import ArgumentParser
import Foundation
import Provision
import UseCases

struct InstallCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Arm hosts for one network install each.",
        discussion: """
            An armed host's next network boot starts its installer; when the install reports back \
            with the host's token, the host is disarmed and boots its local disk again. Protected \
            hosts are refused unless --force-protected; arming more hosts than the site's \
            confirm_above asks for confirmation (or --yes).
            """)

    @OptionGroup var options: InventoryOptions
    @OptionGroup var tree: TreeOptions

    @Argument(help: "Hosts to arm.")
    var hosts: [String]

    @OptionGroup var arming: ArmingOptions

    @Flag(help: "Disarm the hosts instead (back to local boot) without installing.")
    var disarm = false

    func run(_ context: ProvisionContext) async throws {
        try await reportingFailures(context) {
            let workspace = options.workspace(context, tree: tree)
            if disarm {
                let hosts = try ArmRun.disarm(hosts, in: workspace)
                context.output.line("disarmed \(hosts.map(\.name).joined(separator: ", ")): they boot their local disks")
                return
            }
            for host in try ArmRun.arm(hosts, guard: arming.reinstallGuard, in: workspace, context: context) {
                context.output.line("armed \(host.name) (\(host.bootNIC.mac), \(host.os.family.rawValue) \(host.os.release), \(host.firmware.rawValue)): its next network boot installs it")
            }
        }
    }
}
