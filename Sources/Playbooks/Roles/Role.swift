import Provision

/// A named set of resources and handlers, built per host from its inventory settings and vars.
/// Building fails, before any host is contacted, when a var the role needs is missing.
public struct Role: Sendable {
    public var name: String
    public var build: @Sendable (Host) throws(RoleError) -> HostPlaybook

    public init(name: String, build: @escaping @Sendable (Host) throws(RoleError) -> HostPlaybook) {
        self.name = name
        self.build = build
    }
}

/// A role that cannot be built for a host: what is missing and how to give it.
public struct RoleError: Error, CustomStringConvertible, Sendable {
    public var host: String
    public var role: String
    public var message: String
    public var description: String { Self.description(hosts: [host], role: role, message: message) }

    /// What keeps a role from building any host's resources, before a host is named.
    struct Reason: Error, Sendable {
        var text: String
        init(_ text: String) { self.text = text }
    }

    /// `host 'a', role 'r': ...`; for one problem of many hosts (validate's, of a group)
    /// `hosts 'a', 'b', 'c' and 2 more, role 'r': ...`.
    public static func description(hosts: [String], role: String, message: String) -> String {
        let named = hosts.prefix(3).map { "'\($0)'" }.joined(separator: ", ")
        let more = hosts.count > 3 ? " and \(hosts.count - 3) more" : ""
        return "\(hosts.count == 1 ? "host" : "hosts") \(named)\(more), role '\(role)': \(message)"
    }
}

/// The built-in roles, and a host's playbook from its `roles` list.
public enum Roles {
    public static let builtIn: [String: Role] = Dictionary(uniqueKeysWithValues: [BaseRole.role, HypervisorRole.role, ImageLibraryRole.role].map { ($0.name, $0) })

    public struct UnknownRole: Error, CustomStringConvertible, Sendable {
        public var host: String
        public var role: String
        /// The roles that are defined: built-in and site roles.
        public var known: [String]
        public var description: String {
            var text = "host '\(host)' has role '\(role)', which is not defined (defined: \(known.sorted().joined(separator: ", ")))"
            if let near = Suggestion.nearest(to: role, in: known) { text += "; did you mean '\(near)'?" }
            return text
        }
    }

    /// The host's roles in order, built-in or from the site's playbooks (whose names never
    /// clash: `SitePlaybookLoader` refuses that); handlers are shared by name (a restart runs once).
    /// Throws `UnknownRole` or `RoleError`.
    public static func playbook(for host: Host, siteRoles: [String: Role] = [:]) throws -> HostPlaybook {
        var resources: [any Resource] = []
        var handlers: [Handler] = []
        for name in host.roles {
            guard let role = builtIn[name] ?? siteRoles[name] else {
                throw UnknownRole(host: host.name, role: name, known: Array(builtIn.keys) + Array(siteRoles.keys))
            }
            let playbook = try role.build(host)
            resources += playbook.resources
            handlers += playbook.handlers.filter { handler in !handlers.contains { $0.name == handler.name } }
        }
        return HostPlaybook(resources: resources, handlers: handlers)
    }
}

extension Host {
    /// A string var, or the default when unset. A secret var gives its text once resolved
    /// (`Host.resolvingSecrets`); the engine keeps that text out of every output.
    public func string(_ key: String, default value: String) -> String {
        switch vars[key] {
        case .string(let text)?: return text
        case .secret(let secret)?: return secret.value ?? value
        default: return value
        }
    }

    /// A var the role cannot do without (a secret's text once resolved).
    public func required(_ key: String, by role: String, what: String) throws(RoleError) -> String {
        switch vars[key] {
        case .string(let text)? where !text.isEmpty: return text
        case .secret(let secret)?: if let value = secret.value { return value }
        default: break
        }
        throw RoleError(host: name, role: role, message: "needs var '\(key)' (\(what))")
    }

    /// A list-of-strings var (a single string counts as a one-element list).
    public func strings(_ key: String, default value: [String]) -> [String] {
        vars[key]?.strings ?? value
    }

    /// A mapping var; empty when unset.
    public func mapping(_ key: String) -> [String: VarValue] {
        if case .map(let entries)? = vars[key] { return entries }
        return [:]
    }
}

extension VarValue {
    /// The strings of a list (a single string counts as a one-element list).
    public var strings: [String] {
        switch self {
        case .string(let text): [text]
        case .secret(let secret): secret.value.map { [$0] } ?? []
        case .list(let items): items.compactMap { if case .string(let text) = $0 { text } else { nil } }
        case .map: []
        }
    }
}
