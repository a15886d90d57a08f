import Foundation
import Provision
import ProvisionSSH

/// Everything a use case reads or writes outside its own arguments, in one value (the shape of
/// swiftly's `SwiftlyCoreContext`): the command line passes the process's own (`standard`);
/// tests pass one whose streams they read back, so commands run in-process.
public struct ProvisionContext: Sendable {
    /// Results (stdout).
    public var output: TextStream
    /// Progress, warnings and errors (stderr).
    public var errors: TextStream
    /// The next line the operator types, nil at the end of input.
    public var readLine: @Sendable () -> String?
    public var terminal: Terminal
    public var environment: [String: String]
    /// The operator's home: `~/.ssh` (keys, known_hosts) for hosts whose inventory names none.
    public var homeDirectory: String
    /// Relative paths from the operator are taken against this directory.
    public var currentDirectory: String
    public var now: @Sendable () -> Date
    /// Who runs this, as the history and host locks record it.
    public var invocation: RunHistoryStore.Invocation
    /// How hosts are reached: as each host's inventory entry says (SSH with this context's
    /// agent and home, the controller itself, a chroot), or however a test wants.
    public var connectors: ConnectorFactory

    /// Whether the operator is at a terminal: confirmations are asked only on one, and output
    /// is coloured and verbose only on one.
    public struct Terminal: Sendable {
        public var input: Bool
        public var output: Bool

        public init(input: Bool, output: Bool) {
            self.input = input
            self.output = output
        }
    }

    public init(output: TextStream, errors: TextStream, readLine: @escaping @Sendable () -> String?, terminal: Terminal,
                environment: [String: String], homeDirectory: String, currentDirectory: String, now: @escaping @Sendable () -> Date = Date.init,
                invocation: RunHistoryStore.Invocation, connectors: ConnectorFactory? = nil) {
        self.output = output
        self.errors = errors
        self.readLine = readLine
        self.terminal = terminal
        self.environment = environment
        self.homeDirectory = homeDirectory
        self.currentDirectory = currentDirectory
        self.now = now
        self.invocation = invocation
        self.connectors = connectors ?? .standard(environment: environment, home: homeDirectory)
    }

    /// This process's streams, terminal, environment and working directory.
    public static var standard: ProvisionContext {
        ProvisionContext(output: .standardOutput, errors: .standardError, readLine: { Swift.readLine() },
                         terminal: Terminal(input: isatty(STDIN_FILENO) != 0, output: isatty(STDOUT_FILENO) != 0),
                         environment: ProcessInfo.processInfo.environment, homeDirectory: NSHomeDirectory(),
                         currentDirectory: FileManager.default.currentDirectoryPath,
                         invocation: .current)
    }

    /// A path as the operator gave it, made absolute against the working directory.
    public func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : "\(currentDirectory)/\(path)"
    }

    /// Colour for diffs: on a terminal that has not asked for NO_COLOR.
    public var colours: Bool { terminal.output && environment["NO_COLOR"] == nil }
}
