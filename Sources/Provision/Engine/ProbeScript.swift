/// All of a host's probes in one script, so that reading the whole state costs one exec.
/// Each probe runs in its own subshell between markers that carry its index and exit status;
/// splitting the output back is strict: a missing or garbled section is reported as such.
///
/// Around the probes the host measures what they cost it, with shell builtins that start no
/// process of their own: its uptime, and the last process ID its PID namespace handed out.
public enum ProbeScript {
    static let prefix = "@@provision-probe"
    static let costMarker = "@@provision-probe-cost"
    static let readCost = "{ read -r provision_up _ < /proc/uptime; read -r _ _ _ _ provision_pid < /proc/loadavg; } 2>/dev/null\n"

    public static func script(for resources: [any Resource]) -> String {
        script(probes: resources.map(\.probe))
    }

    public static func script(probes: [String]) -> String {
        var script = "export LC_ALL=C\n" + readCost + "provision_up0=$provision_up provision_pid0=$provision_pid\n"
        for (index, probe) in probes.enumerated() {
            script += "printf '\\n\(prefix) \(index) begin@@\\n'\n(\n\(probe)\n)\n"
            script += "printf '\\n\(prefix) \(index) end %s@@\\n' \"$?\"\n"
        }
        script += readCost + "printf '\\n\(costMarker) %s %s %s %s@@\\n' \"$provision_up0\" \"$provision_up\" \"$provision_pid0\" \"$provision_pid\"\n"
        return script
    }

    /// What the probes cost the host, as it measured them.
    public struct Cost: Sendable, Equatable {
        /// Seconds of the host's uptime from before the first probe to after the last
        /// (to its clock's 10 ms).
        public var seconds: Double
        /// Process IDs handed out meanwhile: the probes' own processes where nothing else
        /// starts in the host's PID namespace (a container with its own counts only its own),
        /// more where other work starts at the same time.
        public var processes: Int
    }

    /// The cost line the script ends with; nil when it is missing or garbled (a host without
    /// /proc, output cut short).
    public static func cost(in output: String) -> Cost? {
        guard let start = output.range(of: "\n\(costMarker) ", options: .backwards) else { return nil }
        let rest = output[start.upperBound...]
        guard let end = rest.range(of: "@@") else { return nil }
        let fields = rest[..<end.lowerBound].split(separator: " ")
        guard fields.count == 4, let up0 = Double(fields[0]), let up1 = Double(fields[1]), let pid0 = Int(fields[2]), let pid1 = Int(fields[3]),
              up1 >= up0, pid1 >= pid0 else { return nil }
        return Cost(seconds: ((up1 - up0) * 100).rounded() / 100, processes: pid1 - pid0)
    }

    public struct Section: Sendable, Equatable {
        public var output: String
        public var status: Int32
    }

    /// The probe output of each resource, by index; nil where its section is missing.
    public static func split(_ output: String, count: Int) -> [Section?] {
        var sections = [Section?](repeating: nil, count: count)
        var current: (index: Int, lines: [Substring])?
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(prefix + " "), line.hasSuffix("@@") {
                let fields = line.dropFirst(prefix.count + 1).dropLast(2).split(separator: " ")
                guard fields.count >= 2, let index = Int(fields[0]), index < count else { current = nil; continue }
                if fields[1] == "begin" {
                    current = (index, [])
                } else if fields[1] == "end", let open = current, open.index == index, fields.count == 3, let status = Int32(fields[2]) {
                    // The printf before "end" adds a newline of its own.
                    var lines = open.lines
                    if lines.last == "" { lines.removeLast() }
                    sections[index] = Section(output: lines.joined(separator: "\n"), status: status)
                    current = nil
                }
            } else if current != nil {
                current!.lines.append(line)
            }
        }
        return sections
    }
}
