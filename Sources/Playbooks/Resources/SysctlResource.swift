import Provision

/// A kernel setting: its live value (under /proc/sys) and the file in /etc/sysctl.d that sets
/// it at boot. Both are probed and compared; a fix writes the file and the live value.
///
/// `runtime: false` manages the file only, for hosts whose /proc/sys is read-only (containers,
/// such as the lab's nodes); the summary then says the live value is not managed.
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
        let live = runtime ? "if [ -r \(proc) ]; then printf 'live %s\\n' \"$(cat \(proc))\"; else echo no-such-key; fi" : "echo live-unmanaged"
        return live + "\n" + FileSet([file]).probe
    }

    public func compare(probed: String) -> Comparison {
        let lines = probed.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 2 else { return .unknown("unexpected probe output: '\(probed.prefix(120))'") }
        var changes: [String] = []
        switch lines[0] {
        case "live-unmanaged" where !runtime: break
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
        return .change(changes.joined(separator: "; ") + (runtime ? "" : " (live value not managed: read-only /proc/sys)"))
    }

    public var fix: String {
        var fix = FileSet([file]).fix
        if runtime { fix += "\nprintf '%s\\n' \(Shell.quote(value)) > \(Shell.quote(procPath))" }
        return fix
    }
}
