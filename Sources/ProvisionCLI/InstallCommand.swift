import ArgumentParser
import Foundation
import Provision

struct InstallCommand: AsyncParsableCommand {
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

    func run() async throws {
        try await reportingFailures {
            let inventory = try options.load()
            let selected = try options.hosts(named: hosts, in: inventory)
            let lifecycle = try tree.renderedLifecycle(inventory: inventory, statePath: options.state)
            if disarm {
                try lifecycle.disarm(selected)
                print("disarmed \(selected.map(\.name).joined(separator: ", ")): they boot their local disks")
                return
            }
            try arming.allowReinstall(of: selected, confirmAbove: inventory.site.confirmAbove)
            do {
                try lifecycle.arm(selected)
            } catch {
                throw Failure.failed("arming failed: \(error)")
            }
            for host in selected {
                print("armed \(host.name) (\(host.bootNIC.mac), \(host.os.family.rawValue) \(host.os.release), \(host.firmware.rawValue)): its next network boot installs it")
            }
        }
    }
}
