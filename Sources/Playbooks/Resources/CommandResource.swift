import Provision

/// A command, guarded by `creates` (a path it makes) or `unless` (a command whose success means
/// there is nothing to do). Without a guard its state cannot be known: check reports it as
/// unknown, never as in sync, and apply runs it every time.
public struct CommandResource: Resource {
    public var command: String
    public var creates: String?
    public var unless: String?
    public var notifies: [String]

    public init(_ command: String, creates: String? = nil, unless: String? = nil, notifies: [String] = []) {
        self.command = command
        self.creates = creates
        self.unless = unless
        self.notifies = notifies
    }

    public var kind: String { "command" }
    public var name: String { command }

    /// `done`, `pending` or `unguarded`.
    public var probe: Probe {
        if let creates {
            return .facts([.path(creates)]) { facts in facts.path(creates).map { $0 == .absent ? "pending" : "done" } }
        }
        if let unless { return .script("if ( \(unless) ) >/dev/null 2>&1; then echo done; else echo pending; fi") }
        return .facts([]) { _ in "unguarded" }
    }

    public func compare(probed: String) -> Comparison {
        switch probed {
        case "done": .inSync
        case "pending": .change(creates.map { "run (\($0) is missing)" } ?? "run (its 'unless' check fails)")
        case "unguarded": .unknown("no 'creates' or 'unless': whether it is needed cannot be known")
        default: .unknown("unexpected probe output: '\(probed.prefix(120))'")
        }
    }

    public var fix: String { command }

    public var appliesWhenUnknown: Bool { creates == nil && unless == nil }
}
