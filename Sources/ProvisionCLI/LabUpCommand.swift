import ArgumentParser
import Foundation
import Provision
import ProvisionLab
import UseCases

extension LabCommand {
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
}
