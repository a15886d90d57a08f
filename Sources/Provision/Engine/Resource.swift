/// One piece of desired state on a host. Three parts, as pyinfra splits facts and operations:
/// a probe (POSIX sh printing the current state), a pure compare (desired vs probed), and the
/// fix (sh commands that reach the desired state). Rendering happens here on the controller;
/// only the resulting commands travel.
public protocol Resource: Sendable {
    /// The resource type, e.g. `file`.
    var kind: String { get }
    /// What it manages, e.g. `/etc/motd`; `kind` + `name` identify it within a host.
    var name: String { get }
    /// Reads the current state: facts read together with every other resource's of the host,
    /// or a script of its own, inside the host's one probe exec; must not change anything.
    var probe: Probe { get }
    /// Desired vs probed. Output that the probe would not print is `.unknown`, never in sync.
    func compare(probed: String) -> Comparison
    /// Commands that bring the host to the desired state; a non-zero exit is a failure.
    var fix: String { get }
    /// What the fix reads on stdin: file content travels this way, so its size is not bound
    /// by the limit on one command line.
    var fixInput: String? { get }
    /// Handlers to run (once, after all resources) when this resource changed.
    var notifies: [String] { get }
    /// Whether apply runs the fix when the state is unknown (an unguarded command).
    var appliesWhenUnknown: Bool { get }
    /// For `--diff`: a probe printing the current content base64-encoded, and the desired
    /// content to compare it with. nil for resources without content.
    var contentProbe: String? { get }
    var desiredContent: String? { get }
    /// Sensitive content never appears in a diff or summary.
    var sensitive: Bool { get }
    /// For a change that could cut the host off: a command the engine runs over a fresh SSH
    /// connection after the fix; until it has run, the host undoes the change by itself
    /// within `confirmationWindow` seconds.
    var confirmation: String? { get }
    var confirmationWindow: Int { get }
}

extension Resource {
    public var notifies: [String] { [] }
    public var fixInput: String? { nil }
    public var appliesWhenUnknown: Bool { false }
    public var contentProbe: String? { nil }
    public var desiredContent: String? { nil }
    public var sensitive: Bool { false }
    public var confirmation: String? { nil }
    public var confirmationWindow: Int { 0 }
    public var id: String { "\(kind):\(name)" }
}

public enum Comparison: Sendable, Equatable {
    case inSync
    /// What differs, for humans (never secret values).
    case change(String)
    /// The state cannot be known (an unguarded command, unexpected probe output).
    case unknown(String)
}

/// A command run once after the resources when something that notifies it changed.
public struct Handler: Sendable, Equatable {
    public var name: String
    public var command: String

    public init(name: String, command: String) {
        self.name = name
        self.command = command
    }
}

/// What a host should converge to: its roles' resources, in order, and their handlers.
public struct HostPlaybook: Sendable {
    public var resources: [any Resource]
    public var handlers: [Handler]

    public init(resources: [any Resource], handlers: [Handler]) {
        self.resources = resources
        self.handlers = handlers
    }
}
