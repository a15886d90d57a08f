/// All of a host's probes in one script, so that reading the whole state costs one exec.
/// Each probe runs in its own subshell between markers that carry its index and exit status;
/// splitting the output back is strict: a missing or garbled section is reported as such.
public enum ProbeScript {
    static let prefix = "@@provision-probe"

    public static func script(for resources: [any Resource]) -> String {
        script(probes: resources.map(\.probe))
    }

    public static func script(probes: [String]) -> String {
        var script = "export LC_ALL=C\n"
        for (index, probe) in probes.enumerated() {
            script += "printf '\\n\(prefix) \(index) begin@@\\n'\n(\n\(probe)\n)\n"
            script += "printf '\\n\(prefix) \(index) end %s@@\\n' \"$?\"\n"
        }
        return script
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
