import ArgumentParser
import Foundation
import Provision
import ProvisionLab
import UseCases

extension LabCommand {
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
