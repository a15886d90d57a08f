import Provision

/// A package repository: for apt a deb822 source in /etc/apt/sources.list.d with its signing
/// key in /etc/apt/keyrings (or a keyring already on the host); for dnf a .repo file in
/// /etc/yum.repos.d. A change refreshes that repository's package lists at once, so packages
/// later in the same run can come from it.
public struct PackageRepositoryResource: Resource {
    public enum SigningKey: Sendable, Equatable {
        /// An ASCII-armored OpenPGP key, written to the host beside the source.
        case armored(String)
        /// A keyring file the host already has (e.g. Debian's archive keyring).
        case keyring(String)
    }

    public var repository: String
    public var manager: PackageResource.Manager
    var files: FileSet

    /// An apt source: `uris`, `suites` and `components` as in sources.list(5)'s deb822 format.
    public init(apt repository: String, uris: [String], suites: [String], components: [String], key: SigningKey) {
        self.repository = repository
        manager = .apt
        var files: [FileResource] = []
        let keyring: String
        switch key {
        case .armored(let text):
            keyring = "/etc/apt/keyrings/provision-\(repository).asc"
            files.append(FileResource(keyring, content: text.hasSuffix("\n") ? text : text + "\n"))
        case .keyring(let path):
            keyring = path
        }
        files.append(FileResource("/etc/apt/sources.list.d/provision-\(repository).sources", content: """
            # Managed by provision.
            Types: deb
            URIs: \(uris.joined(separator: " "))
            Suites: \(suites.joined(separator: " "))
            Components: \(components.joined(separator: " "))
            Signed-By: \(keyring)

            """))
        self.files = FileSet(files)
    }

    /// A dnf repository: `baseURL` and the URL (or `file://` path) of its signing key.
    public init(dnf repository: String, description: String, baseURL: String, gpgKey: String) {
        self.repository = repository
        manager = .dnf
        files = FileSet([FileResource("/etc/yum.repos.d/provision-\(repository).repo", content: """
            # Managed by provision.
            [\(repository)]
            name=\(description)
            baseurl=\(baseURL)
            enabled=1
            gpgcheck=1
            repo_gpgcheck=0
            gpgkey=\(gpgKey)

            """)])
    }

    public var kind: String { "repository" }
    public var name: String { repository }

    public var probe: Probe { .facts(files.facts) { [files] in files.probed(in: $0) } }

    public func compare(probed: String) -> Comparison {
        files.compare(lines: probed.split(separator: "\n", omittingEmptySubsequences: false)[...])
    }

    public var fix: String {
        let source = files.files.last!.path
        let refresh = switch manager {
        // Only this source's lists: the others are not fetched again.
        case .apt: AptLocks.function + "\napt_waiting apt-get -q update -o Dir::Etc::sourcelist=\(Shell.quote(source)) -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0"
        case .dnf: "dnf -q -y makecache --repo \(Shell.quote(repository))"
        }
        return files.fix + "\n" + refresh
    }
}
