import Provision

/// A Debian package (apt): installed, at an exact version, or absent. The package lists are
/// refreshed only when an install cannot find what it needs.
public struct PackageResource: Resource {
    public enum State: Sendable, Equatable {
        case present
        case version(String)
        case absent
    }

    public var package: String
    public var state: State

    public init(_ package: String, _ state: State = .present) {
        self.package = package
        self.state = state
    }

    public var kind: String { "package" }
    public var name: String { package }

    public var probe: String {
        "dpkg-query -W -f='${Status}|${Version}\\n' \(Shell.quote(package)) 2>/dev/null || echo 'not-installed|'"
    }

    public func compare(probed: String) -> Comparison {
        let parts = probed.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { return .unknown("unexpected probe output: '\(probed.prefix(120))'") }
        let installed = parts[0] == "install ok installed"
        switch state {
        case .present: return installed ? .inSync : .change("install")
        case .version(let wanted): return installed && parts[1] == wanted ? .inSync : .change(installed ? "\(parts[1]) → \(wanted)" : "install \(wanted)")
        case .absent: return installed ? .change("remove \(parts[1])") : .inSync
        }
    }

    public var fix: String {
        let apt = "DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
        switch state {
        case .present, .version:
            let target: String = if case .version(let version) = state { Shell.quote("\(package)=\(version)") } else { Shell.quote(package) }
            return "\(apt) install --no-install-recommends \(target) || { apt-get -q update && \(apt) install --no-install-recommends \(target); }"
        case .absent:
            return "\(apt) remove \(Shell.quote(package))"
        }
    }
}
