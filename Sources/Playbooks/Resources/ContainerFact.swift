import Provision

/// Whether the host is a container, as `systemd-detect-virt --container` tells: read by the
/// probe of each resource that adapts to it, so it costs no exec of its own (the host's probes
/// run as one script), and never taken from the inventory. A host without systemd-detect-virt
/// counts as no container.
enum ContainerFact: Equatable, CustomStringConvertible {
    case noContainer
    /// The container's kind: `systemd-nspawn`, `docker`, `lxc`, ...
    case container(String)

    /// The probe's line from a host's facts (`HostFact.container`); nil when unknown.
    static func line(in facts: ProbedFacts) -> String? {
        facts.container.map { "container \($0)" }
    }

    /// The fact from the probe's line; nil when the line is not the probe's.
    init?(probed line: Substring) {
        guard line.hasPrefix("container "), line.count > "container ".count else { return nil }
        let kind = String(line.dropFirst("container ".count))
        self = kind == "none" ? .noContainer : .container(kind)
    }

    /// For a summary: "a systemd-nspawn container".
    var description: String {
        switch self {
        case .noContainer: "no container"
        case .container(let kind): "a \(kind) container"
        }
    }
}
