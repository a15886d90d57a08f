import Provision

/// A kernel setting: its live value (under /proc/sys) and the file in /etc/sysctl.d that sets
/// it at boot. Both are probed and compared; a fix writes the file and the live value.
///
/// Where the host's /proc/sys is read-only (a container, such as the lab's nodes: the probe
/// reads that, and whether the host is a container), only the file is compared and written, and
/// a change's summary says the live value was not set and why. `runtime: false` manages the
/// file only on every host.
public struct SysctlResource: Resource {
    public var key: String
    public var value: String
    public var runtime: Bool
    /// The file that persists the setting (one per key, so resources never share a file).
    public var file: FileResource

    public init(_ key: String, _ value: String, runtime: Bool = true, directory: String = "/etc/sysctl.d") {
        self.key = key
        self.value = Self.normalized(value)
        self.runtime = runtime
        file = FileResource("\(directory)/60-provision-\(key).conf", content: "# Managed by provision.\n\(key) = \(self.value)\n")
    }

    public var kind: String { "sysctl" }
    public var name: String { key }

    /// `net.ipv4.ip_forward` → `/proc/sys/net/ipv4/ip_forward`; a key written with slashes
    /// (for interface names that contain dots) is used as it is.
    var procPath: String { "/proc/sys/" + (key.contains("/") ? key : key.replacingOccurrences(of: ".", with: "/")) }

    /// The kernel separates multi-value settings with tabs; files use spaces.
    static func normalized(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    public var probe: String {
        let proc = Shell.quote(procPath)
        // Under a read-only /proc/sys a key may also be hidden (a container's, or one this
        // kernel lacks): only the file can be managed there either way.
        let live = runtime ? """
            if [ -r \(proc) ] && [ -w \(proc) ]; then printf 'live %s\\n' "$(cat \(proc))"
            elif [ -r \(proc) ] || grep -qs '^[^ ]* /proc/sys [^ ]* ro[, ]' /proc/self/mounts; then printf 'read-only '; \(ContainerFact.probe)
            else echo no-such-key; fi
            """ : "echo live-unmanaged"
        return live + "\n" + FileSet([file]).probe
    }

    public func compare(probed: String) -> Comparison {
        let lines = probed.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 2 else { return .unknown("unexpected probe output: '\(probed.prefix(120))'") }
        var changes: [String] = []
        var readOnly: ContainerFact?
        switch lines[0] {
        case "live-unmanaged" where !runtime: break
        case let line where runtime && line.hasPrefix("read-only "):
            guard let fact = ContainerFact(probed: line.dropFirst("read-only ".count)) else {
                return .unknown("unexpected probe output: '\(line.prefix(120))'")
            }
            readOnly = fact
        case "no-such-key": return .unknown("the kernel has no setting \(key) (\(procPath) is missing)")
        case let line where line.hasPrefix("live "):
            let live = Self.normalized(String(line.dropFirst(5)))
            if live != value { changes.append("live \(live) → \(value)") }
        default: return .unknown("unexpected probe output: '\(lines[0].prefix(120))'")
        }
        switch FileSet([file]).compare(lines: lines[1...]) {
        case .inSync: break
        case .change(let summary): changes.append(summary)
        case .unknown(let reason): return .unknown(reason)
        }
        if changes.isEmpty { return .inSync }
        if let readOnly {
            changes.append("not set live: /proc/sys is read-only\(readOnly == .noContainer ? "" : " in \(readOnly)")")
        } else if !runtime {
            changes.append("live value not managed (runtime: false)")
        }
        return .change(changes.joined(separator: "; "))
    }

    /// The live value is written where /proc/sys takes it: where it does not, the probe saw
    /// that and the summary said so.
    public var fix: String {
        var fix = FileSet([file]).fix
        let proc = Shell.quote(procPath)
        if runtime { fix += "\nif [ -w \(proc) ]; then printf '%s\\n' \(Shell.quote(value)) > \(proc); fi" }
        return fix
    }
}
