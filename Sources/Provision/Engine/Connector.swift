/// How the engine reaches a host: it runs scripts there as root and keeps one running (the
/// host lock's holder) while others run. The engine asks nothing else of a host, so a new way
/// in (SSH, the controller itself, a root directory) is one type that implements this.
///
/// Calls block until the script ends (or the connector's command timeout passes): the engine
/// makes them on threads of its own, never on Swift's cooperative pool. A connector is used by
/// one thread at a time (a libssh2 session is not thread-safe), which is why it need not be
/// Sendable.
public protocol Connector: AnyObject {
    /// Runs `script` as root; its stdin gets `input`, then EOF.
    func executeAsRoot(_ script: String, input: String?) throws(ConnectionError) -> CommandResult

    /// Starts `script` as root and reads its output up to the line `ready`. Returns the lines
    /// before it and the running script, which runs on until it is released (its stdin then
    /// ends) or the connector goes away; or, when the script ends without printing `ready`,
    /// everything it printed (stdout, then stderr) and its exit status.
    func hold(_ script: String, ready: String) throws(ConnectionError) -> HoldAttempt

    /// How many scripts this connector started (a no-op check is one per host; the
    /// benchmarks count round trips).
    var execCount: Int { get }
}

extension Connector {
    public func executeAsRoot(_ script: String) throws(ConnectionError) -> CommandResult {
        try executeAsRoot(script, input: nil)
    }
}

/// A script that `Connector.hold` left running.
public protocol HeldCommand: AnyObject {
    /// Ends the script's stdin and waits for it to finish its cleanup. Calling it again does nothing.
    func release()
}

/// What `Connector.hold` came to: the script running (`held`), or what it printed and its
/// exit status when it ended first.
public struct HoldAttempt {
    public var lines: [String]
    public var held: (any HeldCommand)?
    public var status: Int32

    public init(lines: [String], held: (any HeldCommand)?, status: Int32) {
        self.lines = lines
        self.held = held
        self.status = status
    }

    /// The lines before the line `ready` in a script's stdout so far, once that line is
    /// complete (its newline read); nil until then.
    public static func lines(before ready: String, in stdout: String) -> [String]? {
        let lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let index = lines.firstIndex(of: ready), index < lines.count - 1 else { return nil }
        return Array(lines[..<index])
    }

    /// A script that ended without holding: what it printed says why (sudo refusing, say).
    public static func ended(stdout: String, stderr: String, status: Int32) -> HoldAttempt {
        HoldAttempt(lines: (stdout + "\n" + stderr).split(separator: "\n").map(String.init), held: nil, status: status)
    }
}

/// A finished script: its exit status and what it wrote to stdout and stderr.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}
