import ArgumentParser
import Foundation
import Provision
import ProvisionLab
import UseCases

extension LabCommand {
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
}
