import Provision

/// A file fetched by the host itself from a URL and accepted only with the pinned sha256: the
/// download goes to a temporary file beside the target, is checked, and only then renamed into
/// place; a mismatch leaves the old file (or none) and fails with both digests.
public struct DownloadResource: Resource {
    public var path: String
    public var url: String
    public var sha256: String
    public var mode: String

    public init(_ path: String, url: String, sha256: String, mode: String = "0644") {
        self.path = path
        self.url = url
        self.sha256 = sha256.lowercased()
        self.mode = mode
    }

    public var kind: String { "download" }
    public var name: String { path }

    /// `present MODE SHA256` or `absent` (also where something else than a file is in the way).
    public var probe: Probe {
        .facts([.path(path)]) { [path] facts in
            switch facts.path(path) {
            case nil: nil
            case .regularFile(let mode, _, _)?: facts.digest(of: path)?.map { "present \(mode) \($0)" }
            case .absent?, .directory?, .other?: "absent"
            }
        }
    }

    public func compare(probed: String) -> Comparison {
        let fields = probed.split(separator: " ").map(String.init)
        switch fields.first {
        case "absent": return .change("fetch \(url)")
        case "present" where fields.count == 3:
            var changes: [String] = []
            if fields[2] != sha256 { changes.append("sha256 \(fields[2].prefix(12))… is not the pinned \(sha256.prefix(12))…: fetch \(url) again") }
            if Int(fields[1], radix: 8) != Int(mode, radix: 8) { changes.append("mode \(fields[1]) → \(mode)") }
            return changes.isEmpty ? .inSync : .change(changes.joined(separator: ", "))
        default:
            return .unknown("unexpected probe output: '\(probed.prefix(120))'")
        }
    }

    public var fix: String {
        let file = Shell.quote(path)
        return """
            tmp=$(mktemp \(Shell.quote(path + ".provision-XXXXXX")))
            trap 'rm -f "$tmp"' EXIT
            curl -fsS --retry 3 -o "$tmp" \(Shell.quote(url))
            actual=$(sha256sum < "$tmp" | cut -c1-64)
            if [ "$actual" != \(Shell.quote(sha256)) ]; then
              printf '%s: sha256 is %s, but %s is pinned; nothing was replaced\\n' \(Shell.quote(url)) "$actual" \(Shell.quote(sha256)) >&2; exit 1
            fi
            chmod \(Shell.quote(mode)) "$tmp"
            mv -f "$tmp" \(file)
            trap - EXIT
            """
    }
}
