/// Reading values against their grammar (`ValueGrammar`), with the error at the value's
/// file:line:column saying what was expected.
extension InventoryBuilder {
    /// The text of `node` when it fits `grammar`. `secret` keeps the value out of the message
    /// (a plaintext password written where a hash belongs).
    func value(_ node: SourceNode, what: String, secret: Bool = false, _ grammar: (String) -> String?) -> String? {
        guard let text = reader.string(node, what: what) else { return nil }
        if let expected = grammar(text) {
            reader.error(secret ? "\(what) is not valid; expected \(expected)" : "\(what) is '\(ValueGrammar.shown(text))'; expected \(expected)", at: node.location)
            return nil
        }
        return text
    }

    /// The text of each entry of a list, each checked against `grammar`; nil if any fails.
    func values(_ node: SourceNode, what: String, _ grammar: (String) -> String?) -> [(text: String, location: SourceLocation)]? {
        guard let items = reader.list(node, what: what) else { return nil }
        let values = items.compactMap { item in value(item, what: "an entry of \(what)", grammar).map { (text: $0, location: item.location) } }
        return values.count == items.count ? values : nil
    }

    func ipv4(_ node: SourceNode, what: String) -> IPv4Address? {
        guard let text = reader.string(node, what: what) else { return nil }
        guard let address = IPv4Address(text) else {
            reader.error("\(what) '\(ValueGrammar.shown(text))' is not an IPv4 address (four decimal numbers 0-255, no leading zeros, no prefix)", at: node.location)
            return nil
        }
        return address
    }

    /// A URL without its trailing `/`: paths are joined to it.
    func url(_ node: SourceNode, what: String, schemes: [String]) -> String? {
        value(node, what: what) { ValueGrammar.url($0, schemes: schemes) }.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }
}
