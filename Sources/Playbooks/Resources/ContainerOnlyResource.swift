import Provision

/// A resource that belongs only on a host that is a container (the probe reads whether it is:
/// `ContainerFact`). On any other host it is in sync as it stands, and its own probe does not
/// run; in a container it is the wrapped resource, and a change's summary says why it applies.
public struct ContainerOnlyResource: Resource {
    public var resource: any Resource

    public init(_ resource: any Resource) {
        self.resource = resource
    }

    public var kind: String { resource.kind }
    public var name: String { resource.name }

    /// The container fact's line, then (in a container only) the wrapped resource's state.
    public var probe: Probe {
        let inner = resource.probe
        return .facts([.container] + inner.facts) { facts in
            guard let line = ContainerFact.line(in: facts) else { return nil }
            if facts.container == "none" { return line }
            return inner.read(facts).map { line + "\n" + $0 }
        }
    }

    public func compare(probed: String) -> Comparison {
        let (first, rest) = probed.firstRange(of: "\n").map { (probed[..<$0.lowerBound], String(probed[$0.upperBound...])) } ?? (probed[...], "")
        switch ContainerFact(probed: first) {
        case nil: return .unknown("unexpected probe output: '\(first.prefix(120))'")
        case .noContainer?: return .inSync
        case let fact?:
            guard case .change(let summary) = resource.compare(probed: rest) else { return resource.compare(probed: rest) }
            return .change("\(summary) (the host is \(fact))")
        }
    }

    // The rest is the wrapped resource's: the engine only fixes what compare found changed,
    // which it never is outside a container.
    public var fix: String { resource.fix }
    public var fixInput: String? { resource.fixInput }
    public var notifies: [String] { resource.notifies }
    public var contentProbe: String? { resource.contentProbe }
    public var desiredContent: String? { resource.desiredContent }
    public var sensitive: Bool { resource.sensitive }
}
