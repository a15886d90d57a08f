import ArgumentParser
import Provision
import UseCases

/// A subcommand that runs against a `ProvisionContext`: the process's own from `run()`, a
/// test's from `run(_:)` (tests parse with `ProvisionCommand.parseAsRoot` and call it).
protocol ContextCommand: AsyncParsableCommand {
    func run(_ context: ProvisionContext) async throws
}

extension ContextCommand {
    func run() async throws {
        try await run(.standard)
    }

    /// Runs a command body, printing a use case's failure to the context's stderr and exiting
    /// with its status.
    func reportingFailures(_ context: ProvisionContext, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as UseCaseFailure {
            context.errors.line(failure.description)
            throw ExitCode(failure.exitStatus.code)
        }
    }

    /// Ends the command with `status` (nothing to throw for success).
    func exit(with status: ExitStatus) throws {
        if status != .success { throw ExitCode(status.code) }
    }
}
