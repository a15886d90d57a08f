/// How a resource reads its current state. Either way the host runs every probe of its
/// resources in one exec (`ProbeScript`), and the resource compares one text, its probed state.
public enum Probe: Sendable {
    /// POSIX sh printing the probed state (`HostFact.script`).
    case script(String)
    /// Facts read for all of the host's resources together, and how the probed state is put
    /// together from them; nil when a fact it needs is missing or garbled (the state is then
    /// unknown).
    case facts([HostFact], read: @Sendable (ProbedFacts) -> String?)
}

extension Probe {
    /// The facts the probe reads: a script is one of them.
    public var facts: [HostFact] {
        switch self {
        case .script(let script): [.script(script)]
        case .facts(let facts, _): facts
        }
    }

    /// The probed state among a host's facts; nil when unknown.
    public func read(_ probed: ProbedFacts) -> String? {
        switch self {
        case .script(let script): probed.script(script)
        case .facts(_, let read): read(probed)
        }
    }
}

extension Probe: CustomStringConvertible {
    /// The script, or the facts read (for `--print-probe`-like listings and tests).
    public var description: String {
        switch self {
        case .script(let script): script
        case .facts(let facts, _): "facts: " + facts.map(\.description).joined(separator: ", ")
        }
    }
}
