/// A piece of a host's state that its probe reads for all of the host's resources at once: one
/// process per kind of fact (one `stat` for every path, one `sha256sum` for every regular file,
/// one `dpkg-query` for every package, ...), however many resources ask for one, so that what a
/// drift check costs a host does not grow with its roles (`FactQueries` writes the script).
public enum HostFact: Hashable, Sendable {
    /// Type, mode, owner and group, following symbolic links as `[ -f ]` does, and the sha256 of
    /// the content where it is a regular file.
    case path(String)
    /// dpkg's status and version of a package.
    case debianPackage(String)
    /// rpm's version-release of a package, or that it is not installed.
    case rpmPackage(String)
    /// A systemd unit's unit file state and active state.
    case unit(String)
    /// Whether the host is a container, and of which kind (as `systemd-detect-virt --container` tells).
    case container
    /// A user's passwd entry, and the sha256 of its `~/.ssh/authorized_keys` where it has one.
    case account(String)
    /// The host's groups (`getent group`), for groups and for users' memberships.
    case groups
    /// A kernel setting by its /proc/sys path: its live value, or that /proc/sys does not take
    /// writes there (read-only, a container's), or that the kernel has no such setting.
    case kernelSetting(procPath: String)
    /// In a regular file: how many lines equal `line`, and how many match the extended regular
    /// expression `match` (awk's, as the fix that edits the file uses).
    case lineCount(path: String, line: String, match: String?)
    /// What a POSIX sh script prints, run in its own subshell: for state no grouped fact reads
    /// (a command's `unless` check, CPU flags). Each costs the host processes of its own.
    case script(String)
}

extension HostFact: CustomStringConvertible {
    public var description: String {
        switch self {
        case .path(let path): "path \(path)"
        case .debianPackage(let package): "deb \(package)"
        case .rpmPackage(let package): "rpm \(package)"
        case .unit(let unit): "unit \(unit)"
        case .container: "container"
        case .account(let user): "account \(user)"
        case .groups: "groups"
        case .kernelSetting(let path): "kernel-setting \(path)"
        case .lineCount(let path, let line, let match): "lines \(path) \(line.debugDescription) \(match.map(\.debugDescription) ?? "-")"
        case .script(let script): "script \(script)"
        }
    }
}
