import Foundation
import Provision

/// Reads one parsed playbook file: the role it defines, its resources and its handlers,
/// reporting every problem through `reader`.
struct SitePlaybookReader {
    /// What one playbook file defines.
    struct Playbook {
        var role: String
        /// Where the role is named, for a clash with another role.
        var roleLocation: SourceLocation
        var resources: [SiteResourceReader.Builder]
        var handlers: [Handler]
        /// The template files its resources read (for their errors' offending lines).
        var templateTexts: SourceTexts
    }

    static let keys = ["role", "resources", "handlers"]

    let reader: NodeReader

    /// The playbook, or nil when it names no role. Resources with errors are left out (the
    /// errors are in `reader`), so that one run reports the problems of every entry.
    func read(_ root: SourceNode, file: String) -> Playbook? {
        guard let fields = reader.mapping(root, what: "a playbook", keys: Self.keys) else { return nil }
        let handlerEntries = fields["handlers"].map { reader.namedEntries($0, what: "'handlers'") } ?? []
        let handlers = handlerEntries.compactMap { name, command in
            reader.string(command, what: "handler '\(name.text)'").map { Handler(name: name.text, command: $0) }
        }
        // Every named handler counts as defined, even one whose command is wrong, so that
        // notifying it is not reported a second time.
        let resourceReader = SiteResourceReader(reader: reader, handlers: handlerEntries.map(\.key.text),
                                                directory: (file as NSString).deletingLastPathComponent)
        let entries = fields["resources"].flatMap { reader.list($0, what: "'resources'") } ?? []
        let resources = entries.compactMap(resourceReader.read)
        guard let roleNode = fields["role"] else {
            reader.error("a playbook needs 'role': the name hosts list in their 'roles'", at: fields.location)
            return nil
        }
        guard let role = reader.string(roleNode, what: "'role'") else { return nil }
        if role.isEmpty {
            reader.error("'role' is empty: name the role as hosts list it in 'roles'", at: roleNode.location)
            return nil
        }
        return Playbook(role: role, roleLocation: roleNode.location, resources: resources, handlers: handlers,
                        templateTexts: resourceReader.templateTexts)
    }
}
