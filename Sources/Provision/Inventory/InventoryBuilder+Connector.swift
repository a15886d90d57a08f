/// A host's `connector`: how the engine reaches it (SSH, the controller itself, a chroot).
extension InventoryBuilder {
    /// `connector`: `ssh` (the default), `local` (the controller itself) or `{chroot: DIR}` (a
    /// root directory on the controller, by its absolute path).
    func buildConnector(_ node: SourceNode) -> ConnectorSetting? {
        let expected = "expected ssh, local or {chroot: /path/to/root}"
        if case .mapping(let pairs, _) = node {
            guard let fields = reader.mapping(node, what: "'connector'", keys: ["chroot"]) else { return nil }
            guard let rootNode = fields["chroot"] else {
                // Other keys are reported as unknown already.
                if pairs.isEmpty { reader.error("'connector' names no root directory; \(expected)", at: node.location) }
                return nil
            }
            guard let root = reader.string(rootNode, what: "'chroot'") else { return nil }
            let parts = root.split(separator: "/")
            guard root.hasPrefix("/"), !parts.contains(".."), !parts.contains(".") else {
                reader.error("'chroot' '\(ValueGrammar.shown(root))' is not an absolute path without '.' or '..' (e.g. /srv/images/web)", at: rootNode.location)
                return nil
            }
            guard !parts.isEmpty else {
                reader.error("'chroot' '\(root)' is the controller's own root: write 'connector: local' for it", at: rootNode.location)
                return nil
            }
            return .chroot("/" + parts.joined(separator: "/"))
        }
        guard let text = reader.string(node, what: "'connector'") else { return nil }
        switch text {
        case "ssh": return .ssh
        case "local": return .local
        default:
            var message = "'connector' '\(ValueGrammar.shown(text))' is not a connector; \(expected)"
            if text.hasPrefix("chroot") { message += " (write the directory in a mapping: connector: {chroot: DIR})" }
            else if let near = Suggestion.nearest(to: text, in: ["ssh", "local"]) { message += "; did you mean '\(near)'?" }
            reader.error(message, at: node.location)
            return nil
        }
    }
}
