import Foundation
import Provision

/// Loads the site's YAML playbooks (the inventory's `site.playbooks`). Each file defines one
/// role from the same resource values the Swift roles build. Either returns every site role,
/// or throws every problem found in all the files, as `file:line:column` diagnostics.
public enum SitePlaybookLoader {
    /// The site roles by name. Once a site has playbooks, every role a host lists must be
    /// defined (built in or by a playbook), and one that is not is reported where it is
    /// listed. Before that, hosts may list roles still to be written, and `apply` refuses them.
    public static func load(for inventory: Inventory) throws(DiagnosticsError) -> [String: Role] {
        var sources = inventory.sources
        var diagnostics: [Diagnostic] = []
        var files: [(path: String, text: String)] = []
        var listed: [String: SourceLocation] = [:]
        var allFilesRead = true
        for entry in inventory.site.playbooks {
            if let first = listed[entry.path] {
                diagnostics.append(.error("playbook '\(entry.written)' is listed twice", at: entry.location, related: [.note("first listed here", at: first)]))
                continue
            }
            listed[entry.path] = entry.location
            do {
                files.append((entry.path, try TextFile.read(entry.path, maxBytes: YAMLLimits.maxFileBytes)))
            } catch {
                diagnostics.append(.error("playbook '\(entry.written)' \(error.reason)", at: entry.location))
                allFilesRead = false
            }
        }
        let playbooks = read(files, sources: &sources, diagnostics: &diagnostics)
        // A file that could not be read, or names no role, defines a role nobody knows: every
        // host listing that role would be reported too, for the same mistake.
        if !inventory.site.playbooks.isEmpty, allFilesRead, playbooks.count == files.count {
            diagnostics += undefinedRoles(of: inventory.hosts, siteRoles: playbooks.map(\.role))
        }
        return try roles(playbooks, diagnostics: diagnostics, sources: sources)
    }

    /// The roles that playbook texts define, checked against each other and the built-in roles.
    public static func load(files: [(path: String, text: String)]) throws(DiagnosticsError) -> [String: Role] {
        var sources = SourceTexts()
        var diagnostics: [Diagnostic] = []
        let playbooks = read(files, sources: &sources, diagnostics: &diagnostics)
        return try roles(playbooks, diagnostics: diagnostics, sources: sources)
    }

    /// The playbooks that name their role (others are reported), in the order given.
    private static func read(_ files: [(path: String, text: String)], sources: inout SourceTexts,
                             diagnostics: inout [Diagnostic]) -> [SitePlaybookReader.Playbook] {
        let reader = NodeReader()
        var playbooks: [SitePlaybookReader.Playbook] = []
        for file in files {
            sources.add(file: file.path, text: file.text)
            do {
                guard let root = try SourceNode.parse(yaml: file.text, file: file.path, sources: sources) else {
                    reader.error("playbook is empty: it needs 'role' and 'resources'", at: SourceLocation(file: file.path, line: 1, column: 1))
                    continue
                }
                if let playbook = SitePlaybookReader(reader: reader).read(root, file: file.path) {
                    playbooks.append(playbook)
                    sources.merge(playbook.templateTexts)
                }
            } catch {
                diagnostics += error.diagnostics
            }
        }
        diagnostics += reader.diagnostics
        return playbooks
    }

    /// The site roles by name, or every diagnostic (with role clashes added) when there is one.
    private static func roles(_ playbooks: [SitePlaybookReader.Playbook], diagnostics: [Diagnostic],
                              sources: SourceTexts) throws(DiagnosticsError) -> [String: Role] {
        var diagnostics = diagnostics
        var roles: [String: (role: Role, location: SourceLocation)] = [:]
        for playbook in playbooks {
            if Roles.builtIn[playbook.role] != nil {
                diagnostics.append(.error("role '\(playbook.role)' is a built-in role; give this playbook's role another name", at: playbook.roleLocation))
            } else if let first = roles[playbook.role] {
                diagnostics.append(.error("role '\(playbook.role)' is defined by two playbooks", at: playbook.roleLocation,
                                          related: [.note("first defined here", at: first.location)]))
            } else {
                let (builders, handlers) = (playbook.resources, playbook.handlers)
                roles[playbook.role] = (Role(name: playbook.role) { host in
                    HostPlaybook(resources: builders.map { $0(host) }, handlers: handlers)
                }, playbook.roleLocation)
            }
        }
        if !diagnostics.isEmpty { throw DiagnosticsError(Array(Set(diagnostics)), sources: sources) }
        return roles.mapValues(\.role)
    }

    /// A role that a host lists and nothing defines, reported where it is listed (once, when
    /// many hosts take it from the same group).
    private static func undefinedRoles(of hosts: [Provision.Host], siteRoles: [String]) -> [Diagnostic] {
        let builtIn = Roles.builtIn.keys.sorted()
        let known = builtIn + siteRoles
        return hosts.flatMap { host in
            host.roles.filter { !known.contains($0) }.map { role in
                var message = "role '\(role)' is not defined: neither built in (\(builtIn.joined(separator: ", "))) nor by a site playbook"
                if let near = Suggestion.nearest(to: role, in: known) { message += "; did you mean '\(near)'?" }
                return Diagnostic.error(message, at: host.roleLocations[role] ?? host.location)
            }
        }
    }
}
