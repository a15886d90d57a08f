import Foundation

/// Runs scripts on the controller itself with /bin/sh: in the controller's own root
/// (`connector: local`, as Ansible's `connection: local`), or in a root directory on it through
/// chroot(8) (`connector: {chroot: DIR}`: an image being built). Scripts run as the
/// controller's user, which must be root: they are written to run as root, and as anyone else
/// would fail half-way. They get a login's environment, not the controller's (whose variables
/// may hold the inventory's secrets).
public final class ControllerConnector: Connector {
    /// The root directory scripts run in; nil for the controller's own.
    public let root: String?
    private let options: ConnectOptions
    public private(set) var execCount = 0

    static let environment = ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root",
                              "USER": "root", "LOGNAME": "root", "SHELL": "/bin/sh"]

    /// `userID` is the controller's effective user (a parameter so that refusing others can be shown).
    public init(root: String?, options: ConnectOptions, userID: uid_t = geteuid()) throws(ConnectionError) {
        self.root = root
        self.options = options
        guard userID == 0 else {
            throw ConnectionError(kind: .authentication, message: """
                \(Self.name(root)): scripts run as root, and provision runs as uid \(userID) here: run it as root \
                (sudo provision ...), or reach this host over SSH (connector: ssh)
                """)
        }
        if let root, !FileManager.default.isExecutableFile(atPath: "\(root)/bin/sh") {
            throw ConnectionError(kind: .connect, message: "\(Self.name(root)): no /bin/sh in \(root): not a root directory (not built yet?)")
        }
    }

    private static func name(_ root: String?) -> String { root.map { "chroot \($0)" } ?? "local" }

    public func executeAsRoot(_ script: String, input: String?) throws(ConnectionError) -> CommandResult {
        let process = try start(script, input: input, keepInputOpen: false)
        let deadline = ContinuousClock.now + options.commandTimeout
        guard process.pump(deadline: deadline), let status = process.wait(until: deadline) else { throw timedOut(process) }
        return CommandResult(status: status, stdout: String(decoding: process.stdout, as: UTF8.self),
                             stderr: String(decoding: process.stderr, as: UTF8.self))
    }

    public func hold(_ script: String, ready: String) throws(ConnectionError) -> HoldAttempt {
        let process = try start(script, input: nil, keepInputOpen: true)
        let text = { (bytes: [UInt8]) in String(decoding: bytes, as: UTF8.self) }
        guard process.pump(until: { HoldAttempt.lines(before: ready, in: text($0)) != nil },
                           deadline: ContinuousClock.now + options.commandTimeout) else { throw timedOut(process) }
        if let lines = HoldAttempt.lines(before: ready, in: text(process.stdout)) {
            return HoldAttempt(lines: lines, held: HeldScript(process, timeout: options.commandTimeout), status: 0)
        }
        return .ended(stdout: text(process.stdout), stderr: text(process.stderr), status: process.wait())
    }

    /// Starts a script (counted in `execCount`) with `/bin/sh -c`, through chroot when there is a root.
    private func start(_ script: String, input: String?, keepInputOpen: Bool) throws(ConnectionError) -> PipedProcess {
        execCount += 1
        let command = (root.map { ["chroot", $0] } ?? []) + ["/bin/sh", "-c", script]
        do {
            return try PipedProcess(command[0], Array(command.dropFirst()), environment: Self.environment,
                                    input: Array((input ?? "").utf8), keepInputOpen: keepInputOpen)
        } catch {
            throw ConnectionError(kind: .channel, message: "\(Self.name(root)): cannot start the script: \(error)")
        }
    }

    private func timedOut(_ process: PipedProcess) -> ConnectionError {
        process.kill()
        _ = process.wait()
        return ConnectionError(kind: .timeout, message: "\(Self.name(root)): the script did not end within \(options.commandTimeout.components.seconds) s (killed)")
    }

    /// A lock holder left running: released by ending its stdin.
    private final class HeldScript: HeldCommand {
        private let process: PipedProcess
        private let timeout: Duration
        private var released = false

        init(_ process: PipedProcess, timeout: Duration) {
            self.process = process
            self.timeout = timeout
        }

        func release() {
            guard !released else { return }
            released = true
            process.closeInput()
            let deadline = ContinuousClock.now + timeout
            if !process.pump(deadline: deadline) || process.wait(until: deadline) == nil { process.kill() }
            _ = process.wait()
        }

        deinit { release() }
    }
}
