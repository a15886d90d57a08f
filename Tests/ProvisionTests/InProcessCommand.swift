import ArgumentParser
import Foundation
import Provision
import UseCases
@testable import ProvisionCLI

/// `provision` run in this process, the way swiftly's command tests run theirs: the arguments
/// parsed by `ProvisionCommand.parseAsRoot` (with its validation), the command run against a
/// context whose stdout and stderr land in one buffer, in order, and whose stdin is `input`.
/// The status is the one the binary would exit with.
enum InProcessCommand {
    static func run(_ arguments: [String], environment: [String: String] = [:], input: [String]? = nil) async -> (status: Int32, output: String) {
        let output = CapturedText()
        let lines = ThreadSafeBox(input ?? [])
        let context = ProvisionContext(
            output: TextStream(output.append), errors: TextStream(output.append),
            readLine: { lines.withLock { $0.isEmpty ? nil : $0.removeFirst() } },
            terminal: .init(input: input != nil, output: false),
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, homeDirectory: NSHomeDirectory(),
            currentDirectory: FileManager.default.currentDirectoryPath,
            invocation: .init(user: "tester", controller: "test", command: (["provision"] + arguments).joined(separator: " ")))
        do {
            let command = try ProvisionCommand.parseAsRoot(arguments)
            guard let runnable = command as? any ContextCommand else {
                // A command group (`provision netboot`) prints its help, as the binary does.
                output.append(ProvisionCommand.helpMessage(for: type(of: command)) + "\n")
                return (0, output.text)
            }
            try await runnable.run(context)
            return (0, output.text)
        } catch {
            let message = ProvisionCommand.fullMessage(for: error)
            if !message.isEmpty { output.append(message + "\n") }
            return (ProvisionCommand.exitCode(for: error).rawValue, output.text)
        }
    }
}

/// Text written from any thread, read back whole.
final class CapturedText: Sendable {
    private let buffer = ThreadSafeBox("")

    @Sendable func append(_ text: String) {
        buffer.withLock { $0 += text }
    }

    var text: String { buffer.value }
}
