import Provision

/// A local group, present or absent, with a fixed gid when given.
public struct GroupResource: Resource {
    public var group: String
    public var gid: Int?
    public var present: Bool

    public init(_ group: String, gid: Int? = nil, present: Bool = true) {
        self.group = group
        self.gid = gid
        self.present = present
    }

    public var kind: String { "group" }
    public var name: String { group }

    /// The group's line as getent prints it, or `absent`.
    public var probe: Probe {
        .facts([.groups]) { [group] facts in
            facts.groups.map { groups in groups.first { $0.name == group }?.line ?? "absent" }
        }
    }

    public func compare(probed: String) -> Comparison {
        if probed == "absent" { return present ? .change("create") : .inSync }
        let fields = probed.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        // getent prints name:password:gid:members, always four fields.
        guard fields.count == 4, fields[0] == group, let current = Int(fields[2]) else { return .unknown("unexpected probe output: '\(probed.prefix(120))'") }
        if !present { return .change("remove") }
        if let gid, gid != current { return .change("gid \(current) → \(gid)") }
        return .inSync
    }

    public var fix: String {
        let name = Shell.quote(group)
        guard present else { return "groupdel \(name)" }
        let gidOption = gid.map { " -g \($0)" } ?? ""
        return "if getent group \(name) >/dev/null; then groupmod\(gidOption) \(name); else groupadd\(gidOption) \(name); fi"
    }
}
