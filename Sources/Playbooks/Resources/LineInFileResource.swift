import Provision

/// One line in a file, anchored by an extended regex: every line matching `match` is replaced
/// by `line` (once; further matches removed), and `line` is appended when nothing matches.
/// The file is rewritten through a temporary copy (mode and owner kept) and renamed over.
public struct LineInFileResource: Resource {
    public var path: String
    public var line: String
    public var match: String?
    public var notifies: [String]

    public init(_ path: String, line: String, match: String? = nil, notifies: [String] = []) {
        self.path = path
        self.line = line
        self.match = match
        self.notifies = notifies
    }

    public var kind: String { "line" }
    public var name: String { "\(path): \(match ?? line)" }

    /// `present EXACT MATCHING` (lines equal to `line`, lines matching `match`) or `absent`.
    public var probe: Probe {
        .facts([.path(path), .lineCount(path: path, line: line, match: match)]) { [path, line, match] facts in
            switch facts.path(path) {
            case nil: nil
            case .regularFile?: facts.lineCount(path: path, line: line, match: match).map { "present \($0.exact) \($0.matching)" }
            case .absent?, .directory?, .other?: "absent"
            }
        }
    }

    public func compare(probed: String) -> Comparison {
        let fields = probed.split(separator: " ").map(String.init)
        switch fields.first {
        case "absent": return .change("create \(path) with the line")
        case "present" where fields.count == 3:
            guard let exact = Int(fields[1]), let matching = Int(fields[2]) else { break }
            if exact == 0 { return .change(matching > 0 ? "replace \(matching) matching line(s)" : "append the line") }
            if match != nil, matching > exact { return .change("replace \(matching - exact) other matching line(s)") }
            if exact > 1 { return .change("remove \(exact - 1) duplicate(s)") }
            return .inSync
        default: break
        }
        return .unknown("unexpected probe output: '\(probed.prefix(120))'")
    }

    public var fix: String {
        let file = Shell.quote(path)
        return """
            [ -e \(file) ] || : > \(file)
            tmp=$(mktemp \(Shell.quote(path + ".provision-XXXXXX")))
            trap 'rm -f "$tmp"' EXIT
            cp -p \(file) "$tmp"
            PROVISION_LINE=\(Shell.quote(line)) PROVISION_MATCH=\(Shell.quote(match ?? "")) awk '
              BEGIN { line = ENVIRON["PROVISION_LINE"]; re = ENVIRON["PROVISION_MATCH"] }
              $0 == line || (re != "" && $0 ~ re) { if (!done) print line; done = 1; next }
              { print }
              END { if (!done) print line }' \(file) > "$tmp"
            mv -f "$tmp" \(file)
            trap - EXIT
            """
    }
}
