import Foundation

/// `--limit`: host names, group names and shell globs (`kvm-a*`), comma separated or repeated.
public enum HostSelection {
    public struct NoMatch: Error, CustomStringConvertible, Sendable {
        public var pattern: String
        public var description: String { "--limit '\(pattern)' matches no host or group of the inventory" }
    }

    /// `--limit` given, but naming nothing (`--limit ''`, `--limit ','`): an empty variable in a
    /// cron line or a CI job must not select the whole fleet.
    public struct Empty: Error, CustomStringConvertible, Sendable {
        public var written: [String]
        public var description: String {
            "--limit \(written.map { "'\($0)'" }.joined(separator: " --limit ")) names no host or group; leave --limit out to select every host"
        }
    }

    /// The hosts that `patterns` select; all of them when there are no patterns at all.
    public static func select(_ written: [String], from inventory: Inventory) throws -> [Host] {
        guard !written.isEmpty else { return inventory.hosts }
        let patterns = written.flatMap { $0.split(separator: ",").map(String.init) }
        guard !patterns.isEmpty else { throw Empty(written: written) }
        var selected = Set<String>()
        for pattern in patterns {
            let matches = inventory.hosts.filter { host in
                fnmatch(pattern, host.name, 0) == 0 || host.groups.contains { fnmatch(pattern, $0, 0) == 0 }
            }
            if matches.isEmpty { throw NoMatch(pattern: pattern) }
            selected.formUnion(matches.map(\.name))
        }
        return inventory.hosts.filter { selected.contains($0.name) }
    }
}
