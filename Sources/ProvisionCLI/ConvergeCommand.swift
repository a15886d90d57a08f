import ArgumentParser
import Provision
import UseCases

/// check, plan and apply: one converge run, printed.
protocol ConvergeCommand: ContextCommand {
    static var mode: Engine.Mode { get }
    var options: ConvergeOptions { get }
}

extension ConvergeCommand {
    func run(_ context: ProvisionContext) async throws {
        try await reportingFailures(context) {
            let workspace = options.inventory.workspace(context)
            let interruption = Interruption()
            let request = options.request(Self.mode, connectors: context.connectors, interruption: interruption)
            if options.printProbe {
                for target in try ConvergeRun.targets(request, in: workspace).targets {
                    context.output.line("# \(target.host.name)\n" + ProbeScript(for: target.playbook.resources).text)
                }
                return
            }
            let run = try await ConvergeRun.prepare(request, in: workspace, context: context)
            let quiet = options.quiet ?? !context.terminal.output
            let (mode, progress) = (Self.mode, !quiet && !options.json)
            let signals = InterruptSignals(interruption, errors: context.errors)
            let result = await run.execute(context: context) { report in
                if progress { context.errors.line(ConvergeText.progressLine(report, mode: mode)) }
            }
            signals.stop()
            let hosts = result.summary.hosts
            context.output.write(options.json ? JSONReport.render(result.summary)
                                 : quiet ? ConvergeText.quiet(hosts, mode: mode) : ConvergeText.text(hosts, mode: mode, colours: context.colours) + "\n")
            try exit(with: result.exitStatus)
        }
    }
}
