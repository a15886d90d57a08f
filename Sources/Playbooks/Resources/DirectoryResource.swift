import Provision

/// A directory with mode, owner and group (created with its parents when absent).
public struct DirectoryResource: Resource {
    public var path: String
    public var mode: String
    public var owner: String
    public var group: String

    public init(_ path: String, mode: String = "0755", owner: String = "root", group: String = "root") {
        self.path = path
        self.mode = mode
        self.owner = owner
        self.group = group
    }

    public var kind: String { "directory" }
    public var name: String { path }

    /// `present MODE OWNER GROUP`, `absent` or `not-a-directory`.
    public var probe: Probe {
        .facts([.path(path)]) { [path] facts in
            switch facts.path(path) {
            case nil: nil
            case .absent?: "absent"
            case .directory(let mode, let owner, let group)?: "present \(mode) \(owner) \(group)"
            case .regularFile?, .other?: "not-a-directory"
            }
        }
    }

    public func compare(probed: String) -> Comparison {
        let fields = probed.split(separator: " ").map(String.init)
        switch fields.first {
        case "absent": return .change("create (mode \(mode))")
        case "not-a-directory": return .unknown("\(path) exists and is not a directory")
        case "present" where fields.count == 4:
            var differences: [String] = []
            if Int(fields[1], radix: 8) != Int(mode, radix: 8) { differences.append("mode \(fields[1]) → \(mode)") }
            if fields[2] != owner || fields[3] != group { differences.append("owner \(fields[2]):\(fields[3]) → \(owner):\(group)") }
            return differences.isEmpty ? .inSync : .change(differences.joined(separator: ", "))
        default:
            return .unknown("unexpected probe output: '\(probed.prefix(120))'")
        }
    }

    public var fix: String {
        let directory = Shell.quote(path)
        return "mkdir -p \(directory)\nchmod \(Shell.quote(mode)) \(directory)\nchown \(Shell.quote("\(owner):\(group)")) \(directory)"
    }
}
