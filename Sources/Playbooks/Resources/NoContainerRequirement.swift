import Provision

/// A requirement rather than a state to reach: the host is no container (the probe reads it:
/// `ContainerFact`), for what a container must not be given, such as a bridge over the network
/// it shares with the machine it runs on. Nothing can fix a container's being one, so the "fix"
/// fails with `reason`, stopping the host's apply before the resources after it; check reports it.
public struct NoContainerRequirement: Resource {
    /// What needs a host that is no container, and why, e.g. "cloud_bridge is not applied in a
    /// container: it shares its network with the machine it runs on".
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var kind: String { "requirement" }
    public var name: String { "no-container" }
    public var probe: Probe { .facts([.container]) { ContainerFact.line(in: $0) } }

    public func compare(probed: String) -> Comparison {
        switch ContainerFact(probed: probed[...]) {
        case nil: .unknown("unexpected probe output: '\(probed.prefix(120))'")
        case .noContainer?: .inSync
        case let fact?: .change("the host is \(fact): \(reason)")
        }
    }

    public var fix: String {
        "echo \(Shell.quote("this host is a container: \(reason)")) >&2; exit 1"
    }
}
