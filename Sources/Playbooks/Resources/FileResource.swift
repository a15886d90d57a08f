import Foundation
import Provision

/// A file with exact content, mode, owner and group. The content is rendered on the controller
/// and travels on the fix's stdin; it is written to a temporary file beside the target and
/// renamed over it, so a failure never leaves a half-written file.
public struct FileResource: Resource {
    public var path: String
    /// Hashed once (compares of a fleet's plan read it for every host), again when it changes.
    public var content: String { didSet { digest = sha256Hex(content) } }
    private(set) var digest: String
    public var mode: String
    public var owner: String
    public var group: String
    public var notifies: [String]
    /// Sensitive content is never shown in a diff or summary.
    public var sensitive: Bool

    public init(_ path: String, content: String, mode: String = "0644", owner: String = "root", group: String = "root",
                notifies: [String] = [], sensitive: Bool = false) {
        self.path = path
        self.content = content
        digest = sha256Hex(content)
        self.mode = mode
        self.owner = owner
        self.group = group
        self.notifies = notifies
        self.sensitive = sensitive
    }

    public var kind: String { "file" }
    public var name: String { path }

    /// `present MODE OWNER GROUP SHA256`, `absent` or `not-a-file`.
    public var probe: Probe {
        .facts([.path(path)]) { [path] facts in Self.probed(path, in: facts) }
    }

    /// This file's probed state among a host's facts (also for resources that keep files).
    static func probed(_ path: String, in facts: ProbedFacts) -> String? {
        switch facts.path(path) {
        case nil: nil
        case .absent?: "absent"
        case .regularFile(let mode, let owner, let group)?: facts.digest(of: path)?.map { "present \(mode) \(owner) \(group) \($0)" }
        case .directory?, .other?: "not-a-file"
        }
    }

    public func compare(probed: String) -> Comparison {
        let fields = probed.fields(separatedBy: " ").filter { !$0.isEmpty }
        switch fields.first {
        case "absent": return .change("create (\(content.utf8.count) bytes, mode \(mode))")
        case "not-a-file": return .unknown("\(path) exists and is not a regular file")
        case "present" where fields.count == 5:
            var differences: [String] = []
            if fields[4] != digest { differences.append(sensitive ? "content (sensitive)" : "content") }
            if Int(fields[1], radix: 8) != Int(mode, radix: 8) { differences.append("mode \(fields[1]) → \(mode)") }
            if fields[2] != owner || fields[3] != group { differences.append("owner \(fields[2]):\(fields[3]) → \(owner):\(group)") }
            return differences.isEmpty ? .inSync : .change(differences.joined(separator: ", "))
        default:
            return .unknown("unexpected probe output: '\(probed.prefix(120))'")
        }
    }

    public var contentProbe: String? {
        let file = Shell.quote(path)
        return "if [ -f \(file) ] && [ \"$(stat -c %s \(file))\" -le 262144 ]; then base64 -w0 \(file); fi"
    }

    public var desiredContent: String? { content }

    public var fixInput: String? { content }

    public var fix: String { write(from: "cat") }

    /// The fix's commands, with `source` the shell command that prints the content (`cat` of
    /// stdin for the file resource itself; an inline `printf` where a resource writes several
    /// small files). Content that arrives altered or cut short is never renamed into place.
    func write(from source: String) -> String {
        """
        tmp=$(mktemp \(Shell.quote(path + ".provision-XXXXXX")))
        trap 'rm -f "$tmp"' EXIT
        \(source) > "$tmp"
        [ "$(sha256sum < "$tmp" | cut -c1-64)" = \(digest) ] || { printf '%s: content arrived incomplete\\n' \(Shell.quote(path)) >&2; exit 1; }
        chmod \(Shell.quote(mode)) "$tmp"
        chown \(Shell.quote("\(owner):\(group)")) "$tmp"
        mv -f "$tmp" \(Shell.quote(path))
        trap - EXIT
        """
    }

    /// The fix with the content inline (for small files written as part of another resource).
    var inlineWrite: String { write(from: "printf '%s' \(Shell.quote(content))") }
}
