import Foundation

/// `--limit`: host names, group names and shell globs (`kvm-a*`), comma separated or repeated.
public enum HostSelection {
    public struct NoMatch: Error, CustomStringConvertible, Sendable {
        public var pattern: String
        public var description: String { "--limit '\(pattern)' matches no host or group of the inventory" }
    }

    public static func select(_ patterns: [String], from inventory: Inventory) throws(NoMatch) -> [Host] {
        let patterns = patterns.flatMap { $0.split(separator: ",").map(String.init) }
        guard !patterns.isEmpty else { return inventory.hosts }
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
