import Provision

/// A file whose content is a Mustache template rendered on the controller with the host's
/// settings and vars (Ansible's rule: only the result travels). In every other way it is a
/// `file`: compared by content, mode and owner, written atomically.
///
/// The template sees `host` (name), `fqdn`, `address`, `roles`, and every var by its name.
public struct TemplateResource: FileBackedResource {
    public var file: FileResource

    /// `extra` adds values a role derives (over the host's of the same name).
    public init(_ path: String, template: TextTemplate, for host: Host, extra: [String: String] = [:], mode: String = "0644",
                owner: String = "root", group: String = "root", notifies: [String] = [], sensitive: Bool = false) {
        let context = host.templateContext.merging(extra) { _, derived in derived }
        file = FileResource(path, content: template.render(context), mode: mode, owner: owner, group: group,
                            notifies: notifies, sensitive: sensitive)
    }

    public var kind: String { "template" }
}

extension Host {
    /// What templates see: the host's identity and its vars (lists and mappings as such).
    public var templateContext: [String: Any] {
        var context: [String: Any] = vars.mapValues(\.templateValue)
        context["host"] = name
        context["fqdn"] = fqdn
        context["address"] = network.address.description
        context["roles"] = roles
        return context
    }
}

extension VarValue {
    var templateValue: Any {
        switch self {
        case .string(let text): text
        case .secret(let secret): secret.value ?? ""
        case .list(let items): items.map(\.templateValue)
        case .map(let entries): entries.mapValues(\.templateValue)
        }
    }
}
