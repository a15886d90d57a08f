import ArgumentParser
import Foundation
import Provision

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every host's install state (ready, armed, installing, installed, failed) and where `provision up` has it.")

    @OptionGroup var options: InventoryOptions

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let inventory = try options.load()
            let store: InstallStateStore
            do { store = try InstallStateStore(path: options.state) } catch {
                throw Failure.failed("cannot open the state file \(options.state): \(error)")
            }
            let recorded = Dictionary(try store.records().map { ($0.host, $0) }, uniquingKeysWith: { a, _ in a })
            let records = inventory.hosts.map { recorded[$0.name] ?? InstallRecord(host: $0.name, phase: .ready) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(StatusReport(hosts: records)), as: UTF8.self))
                return
            }
            let rows = records.map { record in
                [record.host, record.phase.rawValue, TimeFormat.text(record.armedAt), TimeFormat.text(record.fetchedAt), TimeFormat.text(record.finishedAt),
                 Self.stage(record), record.stageOutcome == .failed ? record.stageDetail ?? "" : ""]
            }
            print(TextTable.render(header: ["HOST", "STATE", "ARMED", "FETCHED", "FINISHED", "UP STAGE", "FAILURE"], rows: rows))
        }
    }

    /// `install failed`, `ssh running`, `ready`; `-` for a host `up` never took.
    private static func stage(_ record: InstallRecord) -> String {
        guard let stage = record.stage else { return "-" }
        if stage == .ready { return stage.rawValue }
        return "\(stage.rawValue) \(record.stageOutcome?.rawValue ?? "")"
    }

    private struct StatusReport: Encodable {
        var version = 1
        var hosts: [InstallRecord]
    }
}
