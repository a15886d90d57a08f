import Provision

/// A local user: present with shell, home, supplementary groups and authorized SSH keys, or
/// absent. Keys are written atomically to `~/.ssh/authorized_keys` (exactly the listed keys).
public struct UserResource: Resource {
    public var user: String
    public var shell: String
    public var groups: [String]
    public var authorizedKeys: [String]
    public var present: Bool

    public init(_ user: String, shell: String = "/bin/bash", groups: [String] = [], authorizedKeys: [String] = [], present: Bool = true) {
        self.user = user
        self.shell = shell
        self.groups = groups.sorted()
        self.authorizedKeys = authorizedKeys
        self.present = present
    }

    public var kind: String { "user" }
    public var name: String { user }

    var keysFile: String { authorizedKeys.isEmpty ? "" : authorizedKeys.joined(separator: "\n") + "\n" }

    /// `present|SHELL|GROUP,...,|SHA256` (groups as `id -nG` lists them, but for the one named
    /// after the user; the digest of `~/.ssh/authorized_keys`, or `none`) or `absent`.
    public var probe: Probe {
        .facts([.account(user), .groups]) { [user] facts in
            guard let account = facts.account(user), let groups = facts.groups else { return nil }
            guard let entry = account else { return "absent" }
            let primary = groups.first { $0.gid == entry.gid }?.name ?? entry.gid
            let names = Set([primary] + groups.filter { $0.members.contains(user) }.map(\.name)).subtracting([user]).sorted()
            guard let keys = facts.digest(of: entry.home + "/.ssh/authorized_keys") else { return nil }
            return "present|\(entry.shell)|\(names.map { $0 + "," }.joined())|\(keys ?? "none")"
        }
    }

    public func compare(probed: String) -> Comparison {
        if probed == "absent" { return present ? .change("create") : .inSync }
        let fields = probed.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4, fields[0] == "present" else { return .unknown("unexpected probe output: '\(probed.prefix(120))'") }
        if !present { return .change("remove") }
        var differences: [String] = []
        if fields[1] != shell { differences.append("shell \(fields[1]) → \(shell)") }
        let currentGroups = fields[2].split(separator: ",").map(String.init).sorted()
        // The probe leaves out the group named after the user (its primary group, usually), so
        // listing it among the supplementary ones is no difference.
        let wantedGroups = groups.filter { $0 != user }
        if currentGroups != wantedGroups { differences.append("groups \(currentGroups.joined(separator: ",")) → \(wantedGroups.joined(separator: ","))") }
        let wantedKeys = authorizedKeys.isEmpty ? "none" : sha256Hex(keysFile)
        if fields[3] != wantedKeys { differences.append("authorized keys") }
        return differences.isEmpty ? .inSync : .change(differences.joined(separator: ", "))
    }

    public var fix: String {
        let name = Shell.quote(user)
        guard present else { return "userdel \(name)" }
        let groupOption = groups.isEmpty ? "" : " -G \(Shell.quote(groups.joined(separator: ",")))"
        // A group of the user's name may exist already (a group resource before it): useradd
        // then refuses to make the user's own group, so that group becomes the primary one.
        var script = """
            if getent passwd \(name) >/dev/null; then usermod -s \(Shell.quote(shell)) -G \(Shell.quote(groups.joined(separator: ","))) \(name)
            elif getent group \(name) >/dev/null; then useradd -m -s \(Shell.quote(shell)) -g \(name)\(groupOption) \(name)
            else useradd -m -s \(Shell.quote(shell))\(groupOption) \(name); fi
            home=$(getent passwd \(name) | cut -d: -f6)
            """
        if authorizedKeys.isEmpty {
            script += "\nrm -f \"$home/.ssh/authorized_keys\""
        } else {
            script += """

                install -d -m 0700 -o \(name) -g "$(id -gn \(name))" "$home/.ssh"
                tmp=$(mktemp "$home/.ssh/authorized_keys.provision-XXXXXX")
                trap 'rm -f "$tmp"' EXIT
                printf '%s' \(Shell.quote(keysFile)) > "$tmp"
                chmod 0600 "$tmp"
                chown \(name):"$(id -gn \(name))" "$tmp"
                mv -f "$tmp" "$home/.ssh/authorized_keys"
                trap - EXIT
                """
        }
        return script
    }
}
