import ArgumentParser
import Foundation
import Playbooks
import Provision

/// What check, plan and apply share: which hosts, how many at once, and how to report.
struct ConvergeOptions: ParsableArguments {
    @OptionGroup var inventory: InventoryOptions

    @Option(help: ArgumentHelp("Hosts, groups or globs (kvm-a*), comma separated.", valueName: "pattern"))
    var limit: [String] = []

    @Option(help: "How many hosts at once.")
    var concurrency: Int = 50

    @Flag(help: "Accept and record host keys that known_hosts does not have yet (never a changed one).")
    var acceptNewHostKeys = false

    @Flag(help: "Print JSON for scripts.")
    var json = false

    @Flag(help: "Print each selected host's batched probe script and exit (to debug, or to time it through plain ssh).")
    var printProbe = false

    /// Runs the engine over the selected hosts, prints progress and the summary, exits with
    /// the design brief's code (2 changes/drift, 1 failure, 4 unreachable, combined).
    func run(_ mode: Engine.Mode) throws {
        let inventory = try self.inventory.load()
        let hosts: [Provision.Host]
        let targets: [Engine.Target]
        do {
            hosts = try HostSelection.select(limit, from: inventory)
            targets = try hosts.map { Engine.Target(host: $0, playbook: try Roles.playbook(for: $0)) }
        } catch {
            throw Failure.invalidInput("\(error)")
        }
        guard concurrency >= 1 else { throw Failure.invalidInput("--concurrency must be at least 1") }
        if printProbe {
            for target in targets { print("# \(target.host.name)\n" + ProbeScript.script(for: target.playbook.resources)) }
            return
        }
        let quiet = json
        let reports = Engine.run(targets, options: .init(mode: mode, concurrency: concurrency, acceptNewHostKeys: acceptNewHostKeys)) { report in
            if !quiet { FileHandle.standardError.write(Data((ConvergeReport.progressLine(report, mode: mode) + "\n").utf8)) }
        }
        print(json ? ConvergeReport.json(reports, mode: mode) : ConvergeReport.text(reports, mode: mode))
        let code = RunExitCode.of(reports)
        if code != 0 { throw ExitCode(code) }
    }
}
