import ArgumentParser
import Foundation
import Provision
import UseCases

struct HistoryCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show recorded check, plan and apply runs; for a host, what each found and since when it drifts.",
        discussion: """
            Without HOST: the runs, newest first (who, when, how many hosts, exit code). With HOST: every run \
            that reached it, oldest first, with the resources that were not in sync (drifted, changed, failed), \
            then each resource drifting now and the run since which it has drifted without a break.
            """)

    @OptionGroup var options: InventoryOptions

    @Argument(help: "A host of the inventory.")
    var host: String?

    @Option(help: ArgumentHelp("Only runs since a date (2026-11-20), a time (2026-11-20T10:00:00Z) or an age (12h, 7d).", valueName: "when"))
    var since: Since?

    @Option(help: "At most this many runs (without HOST).")
    var last = 50

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run(_ context: ProvisionContext) async throws {
        try await reportingFailures(context) {
            let since = since?.date(now: context.now())
            let workspace = options.workspace(context)
            context.output.write(try host.map { try RunHistoryReport.host($0, since: since, in: workspace, json: json) }
                                 ?? RunHistoryReport.runs(since: since, limit: last, in: workspace, json: json))
        }
    }
}
