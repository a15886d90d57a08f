import ArgumentParser
import Provision
import UseCases

struct UpCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Bring hosts up: install each once through its BMC, then converge it to its roles.",
        discussion: """
            Per host: arm, PXE once and a power cycle through its Redfish BMC, wait for the \
            installer's callback (taken by `provision serve`, or by this process with --serve), wait \
            for a login verified with the host key the installer reported, apply its roles. Every \
            stage has a timeout and is recorded in the state file (`provision status`); a second \
            `up` resumes each host where it stopped: an installed host is only converged, a host \
            brought up before is left alone unless --reinstall. Exit 0 when every host is ready, \
            1 when a stage failed, 4 when a BMC or a host's SSH could not be reached (5: both), \
            64 for bad input (nothing touched). See docs/lifecycle.md.
            """)

    @OptionGroup var options: InventoryOptions
    @OptionGroup var tree: TreeOptions
    @OptionGroup var arming: ArmingOptions
    @OptionGroup var rolling: RollingOptions
    @OptionGroup var serving: ServeOptions
    @OptionGroup var limits: BringUpOptions

    @Argument(help: "Hosts to bring up.")
    var hosts: [String]

    @Flag(help: "Run the install server in this process while hosts install (else `provision serve` must be running).")
    var serve = false

    @Flag(help: "Install again hosts that an earlier `up` brought up.")
    var reinstall = false

    func run(_ context: ProvisionContext) async throws {
        try await reportingFailures(context) {
            let workspace = options.workspace(context, tree: tree)
            let interruption = Interruption()
            let bringUp = limits.bringUp(reinstall: reinstall, rolling: rolling, connectors: context.connectors, interruption: interruption)
            let request = BringUpRun.Request(hosts: hosts, reinstall: reinstall, reinstallGuard: arming.reinstallGuard, bringUp: bringUp,
                                             serve: serve, listen: serving.listen)
            let run = try BringUpRun.prepare(request, in: workspace, context: context)
            let signals = InterruptSignals(interruption, errors: context.errors)
            let result = try await run.execute(context: context) { context.errors.line($0) }
            signals.stop()
            context.output.line(BringUpText.table(result.outcomes))
            try exit(with: result.exitStatus)
        }
    }
}
