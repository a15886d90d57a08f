import Provision

/// A systemd unit that is enabled and running. Restarts and reloads go through handlers.
///
/// `runsInContainers: false` is for a unit that systemd itself does not start in a container
/// (`ConditionVirtualization=!container`, as systemd-timesyncd's: a container keeps its host's
/// clock). The probe reads whether the host is one; there, enabled is enough, and a change's
/// summary says the unit is left stopped and why.
public struct ServiceResource: Resource {
    public var unit: String
    public var enabled: Bool
    public var running: Bool
    public var runsInContainers: Bool

    public init(_ unit: String, enabled: Bool = true, running: Bool = true, runsInContainers: Bool = true) {
        self.unit = unit
        self.enabled = enabled
        self.running = running
        self.runsInContainers = runsInContainers
    }

    public var kind: String { "service" }
    public var name: String { unit }

    /// `UNIT-FILE-STATE ACTIVE-STATE` (`enabled active`), then the container fact's line for a
    /// unit that does not run in containers.
    public var probe: Probe {
        .facts(runsInContainers ? [.unit(unit)] : [.unit(unit), .container]) { [unit, runsInContainers] facts in
            // A unit that does not exist yet (its package comes earlier in the same run) has no
            // unit file state: say so, so that apply enables and starts it after the install.
            guard let state = facts.unit(unit) else { return nil }
            let line = "\(state.fileState.isEmpty ? "not-found" : state.fileState) \(state.activeState)"
            if runsInContainers { return line }
            return ContainerFact.line(in: facts).map { line + "\n" + $0 }
        }
    }

    public func compare(probed: String) -> Comparison {
        let lines = probed.split(separator: "\n")
        let fields = lines.first?.split(separator: " ").map(String.init) ?? []
        guard fields.count == 2, lines.count == (runsInContainers ? 1 : 2) else { return .unknown("unexpected probe output: '\(probed.prefix(120))'") }
        var container = ContainerFact.noContainer
        if !runsInContainers {
            guard let fact = ContainerFact(probed: lines[1]) else { return .unknown("unexpected probe output: '\(lines[1].prefix(120))'") }
            container = fact
        }
        var differences: [String] = []
        let isEnabled = ["enabled", "enabled-runtime", "static", "alias", "indirect"].contains(fields[0])
        if enabled != isEnabled { differences.append(enabled ? "enable (is \(fields[0] == "not-found" ? "not installed yet" : fields[0]))" : "disable") }
        let isRunning = fields[1] == "active"
        if container != .noContainer {
            if !differences.isEmpty, running { differences.append("not started: systemd does not run \(self.unit) in \(container)") }
        } else if running != isRunning {
            differences.append(running ? "start (is \(fields[1]))" : "stop")
        }
        return differences.isEmpty ? .inSync : .change(differences.joined(separator: ", "))
    }

    public var fix: String {
        let unit = Shell.quote(self.unit)
        return [enabled ? "systemctl enable \(unit)" : "systemctl disable \(unit)",
                running ? "systemctl start \(unit)" : "systemctl stop \(unit)"].joined(separator: "\n")
    }
}
