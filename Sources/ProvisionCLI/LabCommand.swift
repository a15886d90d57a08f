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

    struct Up: ContextCommand {
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

        func run(_ context: ProvisionContext) async throws {
            try await reportingFailures(context) {
                let (lab, count, first, light, inventoryOut) = (options.lab, count, first, light, inventoryOut)
                let started = Date()
                // debootstrap, nspawn and the waits for sshd block: on a thread of their own.
                let nodes = try await DedicatedThread.run { () throws(UseCaseFailure) -> [Lab.Node] in
                    do {
                        let nodes = try lab.up(count: count, first: first, light: light) { context.output.line("lab: \($0)") }
                        try AtomicFile.write(lab.inventory(nodes, light: light), to: inventoryOut)
                        return nodes
                    } catch {
                        throw .failed("lab up: \(error)")
                    }
                }
                context.output.line(String(format: "lab: %d node%@ up in %.1f s: %@ (%@ … %@); inventory %@", nodes.count, nodes.count == 1 ? "" : "s",
                             Date().timeIntervalSince(started), nodes.map(\.name).joined(separator: ", "),
                             nodes.first!.address, nodes.last!.address, inventoryOut))
            }
        }
    }

    struct Down: ContextCommand {
        static let configuration = CommandConfiguration(abstract: "Stop this lab's nodes and unmount their overlays.")

        @OptionGroup var options: LabOptions

        func run(_ context: ProvisionContext) async throws {
            try await reportingFailures(context) {
                let lab = options.lab
                try await DedicatedThread.run { () throws(UseCaseFailure) in
                    do {
                        try lab.down { context.output.line("lab: \($0)") }
                    } catch {
                        throw .failed("lab down: \(error)")
                    }
                }
            }
        }
    }

    struct Status: ContextCommand {
        static let configuration = CommandConfiguration(abstract: "Show each node: running, and whether its sshd answers.")

        @OptionGroup var options: LabOptions

        func run(_ context: ProvisionContext) async throws {
            let lab = options.lab
            let rows = await DedicatedThread.run { lab.status() }.map {
                [$0.node.name, $0.node.address, $0.running ? "running" : "stopped", $0.sshAnswers ? "answers" : "-"]
            }
            if rows.isEmpty { context.output.line("lab: no nodes in \(options.directory)"); return }
            context.output.line(TextTable.render(header: ["NODE", "ADDRESS", "STATE", "SSH"], rows: rows))
        }
    }
}
