import ArgumentParser
import Foundation
import Provision
import UseCases

struct StatusCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every host's install state (ready, armed, installing, installed, failed) and where `provision up` has it.")

    @OptionGroup var options: InventoryOptions

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run(_ context: ProvisionContext) async throws {
        try await reportingFailures(context) {
            let status = try InstallStatus.read(options.workspace(context))
            context.output.write(json ? status.json : status.text)
        }
    }
}
