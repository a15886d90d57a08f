import Foundation

/// What happened on one host in a check, plan or apply.
public struct HostReport: Sendable {
    public var host: String
    /// Why the host could not be reached or probed; nil when it was.
    public var unreachable: String?
    public var resources: [ResourceOutcome] = []
    public var handlersRun: [String] = []
    public var handlerFailures: [String] = []
    /// SSH exec channels used after connecting (a no-op check uses one).
    public var execs = 0
    public var seconds = 0.0
    /// What the (last) probe script cost the host, as it measured it.
    public var probeCost: ProbeScript.Cost?
    /// Why the host was not touched at all (a rolling run stopped by --max-fail).
    public var notStarted: String?
    /// Who holds the host's lock, when another run did (nothing was done here).
    public var locked: String?
    /// What the run noticed and went on with (a dead run's lock record, say).
    public var warnings: [String] = []

    public init(host: String, notStarted: String? = nil) {
        self.host = host
        self.notStarted = notStarted
    }

    /// The report with every occurrence of the given secrets masked (remote error output can
    /// echo what a command was given).
    public func redacting(_ secrets: [String]) -> HostReport {
        let secrets = secrets.filter { !$0.isEmpty }
        guard !secrets.isEmpty else { return self }
        func mask(_ text: String) -> String { Secret.mask(text, hiding: secrets) }
        var report = self
        report.unreachable = unreachable.map(mask)
        report.warnings = warnings.map(mask)
        report.handlerFailures = handlerFailures.map(mask)
        for index in report.resources.indices {
            report.resources[index].name = mask(report.resources[index].name)
            report.resources[index].diff = report.resources[index].diff.map(mask)
            report.resources[index].state = switch report.resources[index].state {
            case .inSync: .inSync
            case .drift(let text): .drift(mask(text))
            case .changed(let text): .changed(mask(text))
            case .failed(let text): .failed(mask(text))
            case .unknown(let text): .unknown(mask(text))
            case .skipped(let text): .skipped(mask(text))
            }
        }
        return report
    }

    public var drifted: [ResourceOutcome] { resources.filter { if case .drift = $0.state { true } else { false } } }
    public var changed: [ResourceOutcome] { resources.filter { if case .changed = $0.state { true } else { false } } }
    public var failed: [ResourceOutcome] { resources.filter { if case .failed = $0.state { true } else { false } } }
    public var unknown: [ResourceOutcome] { resources.filter { if case .unknown = $0.state { true } else { false } } }
}

public struct ResourceOutcome: Sendable {
    public enum State: Sendable, Equatable {
        case inSync
        /// Differs; check and plan report it, apply fixes it.
        case drift(String)
        case changed(String)
        case failed(String)
        case unknown(String)
        /// Would have changed, but an earlier resource of the host failed.
        case skipped(String)
    }

    public var kind: String
    public var name: String
    public var state: State
    /// With --diff: what the content change is, as a unified diff.
    public var diff: String?

    public init(kind: String, name: String, state: State, diff: String? = nil) {
        self.kind = kind
        self.name = name
        self.state = state
        self.diff = diff
    }

    public var id: String { "\(kind):\(name)" }
}
