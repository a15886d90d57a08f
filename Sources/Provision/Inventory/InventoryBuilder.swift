import Foundation

/// Turns parsed inventory documents into typed, cross-checked hosts, reporting through `reader`.
struct InventoryBuilder {
    let reader: NodeReader
    let timeZones = TimeZoneNames()

    func build(_ documents: [(path: String, root: SourceNode)]) -> Inventory? {
        var site: Site?
        var siteLocation: SourceLocation?
        var defaults: SourceNode?
        var groups: [(name: SourceNode.Scalar, node: SourceNode)] = []
        var hostEntries: [(name: SourceNode.Scalar, node: SourceNode)] = []
        var hostLocations: [String: (name: String, location: SourceLocation)] = [:]

        for document in documents {
            guard let top = reader.mapping(document.root, what: "the inventory", keys: InventoryLoader.topKeys) else { continue }
            let directory = (document.path as NSString).deletingLastPathComponent
            if let node = top["site"] {
                if let first = siteLocation {
                    reader.error("a second 'site' section; only one file of an inventory may have one", at: top.keys["site"]!.location,
                                 related: [.note("the first is here", at: first)])
                } else {
                    siteLocation = top.keys["site"]!.location
                    site = buildSite(node, directory: directory)
                }
            }
            if let node = top["defaults"] {
                if let existing = defaults {
                    reader.error("a second 'defaults' section; only one file of an inventory may have one", at: top.keys["defaults"]!.location,
                                 related: [.note("the first is here", at: existing.location)])
                } else {
                    defaults = node
                }
            }
            if let node = top["groups"] {
                for (name, value) in reader.namedEntries(node, what: "'groups'") {
                    if let first = groups.first(where: { $0.name.text == name.text }) {
                        reader.error("group '\(name.text)' is defined twice", at: name.location, related: [.note("first defined here", at: first.name.location)])
                    } else {
                        groups.append((name, value))
                    }
                }
            }
            if let node = top["hosts"] {
                for (name, value) in reader.namedEntries(node, what: "'hosts'") {
                    // DNS and dnsmasq ignore case: KVM-A01 and kvm-a01 are one name to them.
                    if let first = hostLocations[name.text.lowercased()] {
                        let twice = first.name == name.text ? "is defined twice" : "differs from host '\(first.name)' only in case, and host names ignore case"
                        reader.error("host '\(name.text)' \(twice)", at: name.location, related: [.note("first defined here", at: first.location)])
                    } else {
                        hostLocations[name.text.lowercased()] = (name.text, name.location)
                        hostEntries.append((name, value))
                    }
                }
            }
        }
        checkNoGroupsOutsideHosts(defaults: defaults, groups: groups)

        let groupNodes = Dictionary(groups.map { ($0.name.text, $0.node) }, uniquingKeysWith: { first, _ in first })
        var hosts: [Host] = []
        for (name, node) in hostEntries {
            if let host = buildHost(name: name, node: node, defaults: defaults, groups: groupNodes) { hosts.append(host) }
        }
        checkUnique(hosts)
        guard let site else {
            // A 'site' section that failed to build is reported already.
            if siteLocation == nil {
                reader.error("the inventory has no 'site' section; it needs at least 'install_server'", at: documents.first?.root.location ?? SourceLocation(file: "inventory", line: 1, column: 1))
            }
            return nil
        }
        return Inventory(site: site, hosts: hosts.sorted { $0.name < $1.name }, groupNames: groups.map(\.name.text), sources: SourceTexts())
    }

    /// Paths in the inventory are relative to the directory of the file that holds them.
    func resolve(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") || directory.isEmpty ? path : "\(directory)/\(path)"
    }
}

/// What the section readers ask of a node beyond `NodeReader`'s typed reads.
extension SourceNode {
    func hasKey(_ key: String) -> Bool {
        if case .mapping(let pairs, _) = self { return pairs.contains { $0.key.text == key } }
        return false
    }

    var isPlainNumber: Bool {
        if case .scalar(let scalar) = self, !scalar.quoted, Double(scalar.text) != nil { return true }
        return false
    }
}
