import ArgumentParser
import Foundation
import Provision
import UseCases

struct FactsCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "facts",
        abstract: "Read what a host is (OS, kernel, CPU virtualisation, memory, /dev/kvm) over its connector, in one exec.")

    @OptionGroup var options: InventoryOptions

    @Argument(help: "The host.")
    var host: String

    @Flag(help: "Accept and record host keys that known_hosts does not have yet (never a changed one).")
    var acceptNewHostKeys = false

    @Flag(help: "Print JSON.")
    var json = false

    func run(_ context: ProvisionContext) async throws {
        try await reportingFailures(context) {
            let facts = try await FactsRun.read(host: host, acceptNewHostKey: acceptNewHostKeys, in: options.workspace(context), context: context)
            if json {
                let data = try JSONSerialization.data(withJSONObject: facts.values, options: [.prettyPrinted, .sortedKeys])
                context.output.line(String(decoding: data, as: UTF8.self))
            } else {
                context.output.line(TextTable.render(header: ["FACT", "VALUE"], rows: facts.values.sorted { $0.key < $1.key }.map { [$0.key, $0.value] }))
            }
        }
    }
}
