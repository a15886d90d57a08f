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
            let refusals = try store.refusals()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(StatusReport(hosts: records, refusals: refusals)), as: UTF8.self))
                return
            }
            let rows = records.map { record in
                [record.host, record.phase.rawValue, TimeFormat.text(record.armedAt), TimeFormat.text(record.fetchedAt), TimeFormat.text(record.finishedAt),
                 Self.stage(record), Self.failure(record)]
            }
            print(TextTable.render(header: ["HOST", "STATE", "ARMED", "FETCHED", "FINISHED", "UP STAGE", "FAILURE"], rows: rows))
            if !refusals.isEmpty {
                // Counted per host, reason and address: a flood of bad requests is one line.
                print("\nRefused requests to the install server (alarms first):")
                print(TextTable.render(header: ["HOST", "FROM", "COUNT", "LAST", "WHAT"], rows: refusals.map { refusal in
                    [refusal.host, refusal.peer, String(refusal.count), TimeFormat.text(refusal.lastAt), refusal.reason.summary]
                }))
            }
        }
    }

    /// Why `up`'s stage failed, else why the installer said it failed.
    private static func failure(_ record: InstallRecord) -> String {
        if record.stageOutcome == .failed { return record.stageDetail ?? "" }
        if record.phase == .failed { return record.failureReason.map { "installer: \($0)" } ?? "installer reported failure" }
        return ""
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
        /// Refused requests to the install server, counted per host, reason and peer; `alarm` marks those that say a host's secrets were sought from elsewhere.
        var refusals: [InstallRefusal]
    }
}
