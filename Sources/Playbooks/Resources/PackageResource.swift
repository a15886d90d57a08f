import Provision

/// A package, through apt (Debian, Ubuntu) or dnf (Rocky, RHEL, AlmaLinux): installed, at an
/// exact version, or absent. apt's package lists are refreshed only when an install cannot
/// find what it needs.
public struct PackageResource: Resource {
    public enum State: Sendable, Equatable {
        case present
        /// apt: the Debian version (`1:7.2+dfsg-7`); dnf: `VERSION-RELEASE` (`8.2.0-11.el9`).
        case version(String)
        case absent
    }

    public enum Manager: String, Sendable {
        case apt, dnf

        /// The package manager of an OS family.
        public init(_ family: OperatingSystem.Family) {
            switch family {
            case .debian, .ubuntu: self = .apt
            case .rocky, .rhel, .almalinux: self = .dnf
            }
        }
    }

    public var package: String
    public var state: State
    public var manager: Manager

    public init(_ package: String, _ state: State = .present, manager: Manager = .apt) {
        self.package = package
        self.state = state
        self.manager = manager
    }

    public var kind: String { "package" }
    public var name: String { package }

    /// Prints `STATUS|VERSION`; the status is `install ok installed` (dpkg's words) or
    /// `installed` (rpm) when the package is there.
    public var probe: Probe {
        switch manager {
        case .apt: .facts([.debianPackage(package)]) { [package] in $0.debianPackage(package) }
        case .dnf: .facts([.rpmPackage(package)]) { [package] in $0.rpmPackage(package) }
        }
    }

    public func compare(probed: String) -> Comparison {
        let parts = probed.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { return .unknown("unexpected probe output: '\(probed.prefix(120))'") }
        let installed = parts[0] == "install ok installed" || parts[0] == "installed"
        switch state {
        case .present: return installed ? .inSync : .change("install")
        case .version(let wanted): return installed && parts[1] == wanted ? .inSync : .change(installed ? "\(parts[1]) → \(wanted)" : "install \(wanted)")
        case .absent: return installed ? .change("remove \(parts[1])") : .inSync
        }
    }

    public var fix: String {
        if manager == .dnf {
            let target = if case .version(let version) = state { "\(package)-\(version)" } else { package }
            return state == .absent ? "dnf -q -y remove \(Shell.quote(package))" : "dnf -q -y install \(Shell.quote(target)) || dnf -q -y downgrade \(Shell.quote(target))"
        }
        let apt = "apt_waiting env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
        switch state {
        case .present, .version:
            let target: String = if case .version(let version) = state { Shell.quote("\(package)=\(version)") } else { Shell.quote(package) }
            return AptLocks.function + "\n"
                + "\(apt) install --no-install-recommends \(target) || { apt_waiting apt-get -q update && \(apt) install --no-install-recommends \(target); }"
        case .absent:
            return AptLocks.function + "\n\(apt) remove \(Shell.quote(package))"
        }
    }
}
