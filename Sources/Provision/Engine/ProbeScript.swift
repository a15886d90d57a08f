/// All of a host's probes in one script, so that reading the whole state costs one exec: first
/// the facts its resources ask for, grouped by kind (`FactQueries`: one process per kind, however
/// many resources; the resources' own probe scripts among them, each in a subshell), then (for
/// `--diff`) the contents of files. Every part prints between markers carrying its label and
/// exit status; splitting the output back is strict: a missing or garbled section is reported
/// as such, and the facts in it are unknown.
///
/// Around the probes the host measures what they cost it, with shell builtins that start no
/// process of their own: its uptime, and the last process ID its PID namespace handed out.
public struct ProbeScript: Sendable {
    static let prefix = "@@provision-probe"
    static let costMarker = "@@provision-probe-cost"
    static let readCost = "{ read -r provision_up _ < /proc/uptime; read -r _ _ _ _ provision_pid < /proc/loadavg; } 2>/dev/null\n"

    let probes: [Probe]
    let contentProbes: [String]
    let queries: FactQueries
    /// The script the host runs.
    public let text: String

    /// `contentProbes`: scripts printing file contents base64-encoded, for `--diff`.
    public init(probes: [Probe], contentProbes: [String] = []) {
        self.probes = probes
        self.contentProbes = contentProbes
        queries = FactQueries(probes.flatMap(\.facts))
        var text = "export LC_ALL=C\n" + Self.readCost + "provision_up0=$provision_up provision_pid0=$provision_pid\n" + queries.script
        for (index, script) in contentProbes.enumerated() { text += Self.section("content\(index)", "(\n\(script)\n)") }
        self.text = text + Self.readCost
            + "printf '\\n\(Self.costMarker) %s %s %s %s@@\\n' \"$provision_up0\" \"$provision_up\" \"$provision_pid0\" \"$provision_pid\"\n"
    }

    public init(for resources: [any Resource]) {
        self.init(probes: resources.map(\.probe))
    }

    /// `body` between the markers of `label`; the end marker carries `status` (by default the
    /// body's exit status).
    static func section(_ label: String, _ body: String, status: String = "\"$?\"") -> String {
        "printf '\\n\(prefix) \(label) begin@@\\n'\n\(body)\nprintf '\\n\(prefix) \(label) end %s@@\\n' \(status)\n"
    }

    /// What the host printed, read back.
    public struct Reading: Sendable {
        /// Each resource's probed state, by index; nil where its section or a fact it needs is
        /// missing or garbled.
        public var states: [String?]
        /// Each content probe's output, by index; nil where missing.
        public var contents: [String?]
        /// Whether any section at all came back (none: the script never ran).
        public var anySection: Bool
        /// The non-empty lines printed outside every section (the lock's markers).
        public var unframed: [Substring]
        public var cost: Cost?
    }

    public func read(_ output: String) -> Reading {
        let (sections, unframed) = Self.split(output)
        let facts = ProbedFacts(sections, queries: queries)
        return Reading(states: probes.map { $0.read(facts) }, contents: contentProbes.indices.map { sections[Substring("content\($0)")].map { String($0.output) } },
                       anySection: !sections.isEmpty, unframed: unframed, cost: Self.cost(in: output))
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
        /// The lines between the markers: a slice of the whole output, not a copy.
        public var output: Substring
        public var status: Int32
    }

    /// Every complete section by its label, and the lines outside any section (where the lock
    /// preamble prints its markers: a section's own text can never pass for one). A section
    /// counts only from its begin marker to its own end marker with a status; another marker in
    /// between ends it unfinished. Read line by line over the bytes (a marker is ASCII), and a
    /// section's output is the slice between its markers: a fleet's plan splits every host's
    /// output, and Character-wise splitting and joining lines again was most of it.
    public static func split(_ output: String) -> (sections: [Substring: Section], unframed: [Substring]) {
        var sections: [Substring: Section] = [:]
        var unframed: [Substring] = []
        let marker = Array((prefix + " ").utf8)
        let utf8 = output.utf8
        // The open section: its label and where its first line starts.
        var current: (label: Substring, start: String.Index)?
        var lineStart = utf8.startIndex
        while lineStart <= utf8.endIndex {
            let lineEnd = utf8[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? utf8.endIndex
            let line = utf8[lineStart..<lineEnd]
            if line.starts(with: marker), line.count >= marker.count + 2, line.suffix(2).elementsEqual("@@".utf8) {
                let fields = Substring(line.dropFirst(marker.count).dropLast(2)).split(separator: " ")
                if fields.count == 2, fields[1] == "begin" {
                    current = (fields[0], lineEnd == utf8.endIndex ? lineEnd : utf8.index(after: lineEnd))
                } else if fields.count == 3, fields[1] == "end", let open = current, open.label == fields[0], let status = Int32(fields[2]) {
                    // The printf before "end" adds a newline of its own: the line before the
                    // marker is empty, and neither it nor the newline ending the last line of
                    // output is part of the section.
                    var end = lineStart
                    if end > open.start { end = utf8.index(before: end) }
                    if end > open.start, utf8[utf8.index(before: end)] == UInt8(ascii: "\n") { end = utf8.index(before: end) }
                    sections[open.label] = Section(output: output[open.start..<end], status: status)
                    current = nil
                } else {
                    current = nil
                }
            } else if current == nil, !line.isEmpty {
                unframed.append(Substring(line))
            }
            if lineEnd == utf8.endIndex { break }
            lineStart = utf8.index(after: lineEnd)
        }
        return (sections, unframed)
    }
}
