import ArgumentParser
import Foundation
import Provision
import ProvisionLab
import UseCases

struct LabCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Real Debian hosts on this machine (systemd-nspawn), reachable over SSH on loopback.",
        subcommands: [Up.self, Down.self, Status.self])

    struct LabOptions: ParsableArguments {
        @Option(help: ArgumentHelp("Directory holding the lab's nodes, key and known_hosts.", valueName: "dir"))
        var directory: String = ".lab"

        var lab: Lab { Lab(directory: directory) }
    }
}
