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

    /// The file as a set, the shape every file-managing resource probes, compares and fixes.
    var files: FileSet { FileSet([file]) }

    public var kind: String { "sysctl" }
    public var name: String { key }

    /// `net.ipv4.ip_forward` → `/proc/sys/net/ipv4/ip_forward`; a key written with slashes
    /// (for interface names that contain dots) is used as it is.
    var procPath: String {
        "/proc/sys/" + (key.contains("/") ? key : String(decoding: key.utf8.map { $0 == UInt8(ascii: ".") ? UInt8(ascii: "/") : $0 }, as: UTF8.self))
    }

    /// The kernel separates multi-value settings with tabs; files use spaces.
    static func normalized(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// `live VALUE`, `read-only container KIND`, `no-such-key` or `live-unmanaged`, then the
    /// file's line. Under a read-only /proc/sys a key may also be hidden (a container's, or one
    /// this kernel lacks): only the file can be managed there either way.
    public var probe: Probe {
        let facts: [HostFact] = (runtime ? [.kernelSetting(procPath: procPath), .container] : []) + files.facts
        return .facts(facts) { [runtime, procPath, files] facts in
            guard let fileLine = files.probed(in: facts) else { return nil }
            guard runtime else { return "live-unmanaged\n" + fileLine }
            switch facts.kernelSetting(procPath) {
            case nil: return nil
            case .live(let value)?: return "live \(value)\n" + fileLine
            case .readOnly?: return ContainerFact.line(in: facts).map { "read-only \($0)\n" + fileLine }
            case .noSuchKey?: return "no-such-key\n" + fileLine
            }
        }
    }

    public func compare(probed: String) -> Comparison {
        let lines = probed.fields(separatedBy: "\n")
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
        switch files.compare(lines: lines[1...]) {
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
        var fix = files.fix
        let proc = Shell.quote(procPath)
        if runtime { fix += "\nif [ -w \(proc) ]; then printf '%s\\n' \(Shell.quote(value)) > \(proc); fi" }
        return fix
    }
}
