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

    @Flag(help: "Arm hosts marked protected in the inventory.")
    var forceProtected = false

    @Flag(name: [.short, .long], help: "Do not ask for confirmation.")
    var yes = false

    @Flag(help: "Disarm the hosts instead (back to local boot) without installing.")
    var disarm = false

    func run() async throws {
        try await reportingFailures {
            let inventory = try options.load()
            var selected: [Provision.Host] = []
            for name in hosts {
                guard let host = inventory.host(named: name) else {
                    var message = "no host '\(name)' in \(options.inventory)"
                    if let near = Suggestion.nearest(to: name, in: inventory.hosts.map(\.name)) { message += "; did you mean '\(near)'?" }
                    throw Failure.invalidInput(message)
                }
                selected.append(host)
            }
            let lifecycle = try tree.lifecycle(inventory: inventory, statePath: options.state)
            guard FileManager.default.fileExists(atPath: "\(tree.absoluteTree)/\(BootTree.dnsmasqConfig)") else {
                throw Failure.invalidInput("no rendered tree at \(tree.tree): run `provision netboot render` first")
            }
            if disarm {
                try lifecycle.disarm(selected)
                print("disarmed \(selected.map(\.name).joined(separator: ", ")): they boot their local disks")
                return
            }
            let protected = selected.filter(\.isProtected)
            if !protected.isEmpty, !forceProtected {
                throw Failure.refused("refusing to arm protected host\(protected.count == 1 ? "" : "s") \(protected.map(\.name).joined(separator: ", ")) (protected: true in the inventory); reinstalling wipes them. Pass --force-protected if that is what you want.")
            }
            if selected.count > inventory.site.confirmAbove, !yes {
                try Confirmation.require(
                    "About to arm \(selected.count) hosts for reinstall (wiping their disks on next network boot): \(selected.map(\.name).joined(separator: ", "))",
                    typing: String(selected.count))
            }
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
