import ArgumentParser
import Foundation
import Provision
import ProvisionLab

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

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start N nodes (default 3), clearing any a previous run left, and write their inventory.")

        @OptionGroup var options: LabOptions

        @Argument(help: "How many nodes.")
        var count: Int = 3

        @Option(help: ArgumentHelp("Where to write the lab's inventory.", valueName: "path"))
        var inventoryOut: String = "inventory/lab.yml"

        @Flag(help: "Light nodes: sshd alone, no systemd (a few MB each; for fleets of 100 and more).")
        var light = false

        @Option(help: ArgumentHelp("Number the nodes from this index (lab-N on 127.0.0.(10+N)), to run beside another lab.", valueName: "n"))
        var first = 1

        func run() async throws {
            try await reportingFailures {
                let lab = options.lab
                let started = Date()
                let nodes: [Lab.Node]
                do {
                    nodes = try lab.up(count: count, first: first, light: light) { print("lab: \($0)") }
                    try AtomicFile.write(lab.inventory(nodes, light: light), to: inventoryOut)
                } catch let error as LabError {
                    throw Failure.failed("lab up: \(error)")
                }
                print(String(format: "lab: %d node%@ up in %.1f s: %@ (%@ … %@); inventory %@", nodes.count, nodes.count == 1 ? "" : "s",
                             Date().timeIntervalSince(started), nodes.map(\.name).joined(separator: ", "),
                             nodes.first!.address, nodes.last!.address, inventoryOut))
            }
        }
    }

    struct Down: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop this lab's nodes and unmount their overlays.")

        @OptionGroup var options: LabOptions

        func run() async throws {
            try await reportingFailures {
                do {
                    try options.lab.down { print("lab: \($0)") }
                } catch {
                    throw Failure.failed("lab down: \(error)")
                }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show each node: running, and whether its sshd answers.")

        @OptionGroup var options: LabOptions

        func run() async throws {
            let rows = options.lab.status().map { [$0.node.name, $0.node.address, $0.running ? "running" : "stopped", $0.sshAnswers ? "answers" : "-"] }
            if rows.isEmpty { print("lab: no nodes in \(options.directory)"); return }
            print(TextTable.render(header: ["NODE", "ADDRESS", "STATE", "SSH"], rows: rows))
        }
    }
}
