import Foundation
import Provision

/// `status`: every host's install state and where `up` has it, and the refused requests to the
/// install server (counted per host, reason and address: a flood of bad requests is one line),
/// as a table or as JSON.
public struct InstallStatus: Sendable, Encodable {
    public var version = 1
    public var hosts: [InstallRecord]
    /// Refused requests to the install server; `alarm` marks those that say a host's secrets
    /// were sought from elsewhere.
    public var refusals: [InstallRefusal]

    /// Each inventory host's record (a host never armed is `ready`), in inventory order.
    public static func read(_ workspace: Workspace) throws(UseCaseFailure) -> InstallStatus {
        let inventory = try workspace.loadInventory()
        let store = try workspace.installStateStore()
        do {
            let recorded = Dictionary(try store.records().map { ($0.host, $0) }, uniquingKeysWith: { first, _ in first })
            return InstallStatus(hosts: inventory.hosts.map { recorded[$0.name] ?? InstallRecord(host: $0.name, phase: .ready) },
                                 refusals: try store.refusals())
        } catch {
            throw .failed("cannot read the state file \(workspace.state): \(error)")
        }
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self) + "\n"
    }

    public var text: String {
        let rows = hosts.map { record in
            [record.host, record.phase.rawValue, TimeFormat.text(record.armedAt), TimeFormat.text(record.fetchedAt), TimeFormat.text(record.finishedAt),
             Self.stage(record), Self.failure(record)]
        }
        var text = TextTable.render(header: ["HOST", "STATE", "ARMED", "FETCHED", "FINISHED", "UP STAGE", "FAILURE"], rows: rows) + "\n"
        if !refusals.isEmpty {
            text += "\nRefused requests to the install server (alarms first):\n"
            text += TextTable.render(header: ["HOST", "FROM", "COUNT", "LAST", "WHAT"], rows: refusals.map { refusal in
                [refusal.host, refusal.peer, String(refusal.count), TimeFormat.text(refusal.lastAt), refusal.reason.summary]
            }) + "\n"
        }
        return text
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

    private enum CodingKeys: String, CodingKey { case version, hosts, refusals }
}
