/// Reads typed values out of `SourceNode`s and collects every problem as a diagnostic instead
/// of stopping at the first, so `provision validate` reports all of them in one run.
/// Public so that the site playbook loader reads its YAML with the same traps and messages.
public final class NodeReader {
    public private(set) var diagnostics: Set<Diagnostic> = []

    public init() {}

    /// Records a problem. The message quotes values the user wrote: what is not printable in
    /// them is escaped here, once for every message.
    public func error(_ message: String, at location: SourceLocation, related: [Diagnostic] = []) {
        diagnostics.insert(.error(ValueGrammar.escaped(message), at: location, related: related))
    }

    /// The entries of a mapping, keyed by name. Unknown keys are reported with the nearest
    /// known one; `refused` keys carry their own explanation (an inline password, say).
    public func mapping(_ node: SourceNode, what: String, keys: [String], refused: [String: String] = [:]) -> Fields? {
        guard case .mapping(let pairs, _) = node else {
            error("expected \(what) to be a mapping of settings, found \(node.kindName)", at: node.location)
            return nil
        }
        var fields = Fields(location: node.location)
        for (key, value) in pairs {
            if let reason = refused[key.text] {
                error(reason, at: key.location)
            } else if keys.contains(key.text) {
                fields.values[key.text] = value
                fields.keys[key.text] = key
            } else {
                var message = "unknown key '\(key.text)' in \(what)"
                if let near = Suggestion.nearest(to: key.text, in: keys) { message += "; did you mean '\(near)'?" }
                else { message += "; known keys: \(keys.joined(separator: ", "))" }
                error(message, at: key.location)
            }
        }
        return fields
    }

    /// A mapping whose keys are names chosen by the user (hosts, groups, vars).
    public func namedEntries(_ node: SourceNode, what: String) -> [(key: SourceNode.Scalar, value: SourceNode)] {
        guard case .mapping(let pairs, _) = node else {
            if case .scalar(let scalar) = node, scalar.isNull { return [] }
            error("expected \(what) to be a mapping from names to settings, found \(node.kindName)", at: node.location)
            return []
        }
        return pairs
    }

    public func string(_ node: SourceNode, what: String) -> String? {
        guard case .scalar(let scalar) = node, !scalar.isNull else {
            error("expected \(what) to be a value, found \(node.kindName)", at: node.location)
            return nil
        }
        return scalar.text
    }

    /// Booleans are `true` or `false` only: YAML 1.1's `yes`, `no`, `on`, `off` are refused so
    /// that the same file means the same thing to every YAML parser.
    public func bool(_ node: SourceNode, what: String) -> Bool? {
        guard let text = string(node, what: what) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        case "yes", "Yes", "YES", "on", "On", "ON", "y", "Y":
            error("\(what) is '\(text)', which YAML 1.1 reads as true and YAML 1.2 as text; write true", at: node.location)
        case "no", "No", "NO", "off", "Off", "OFF", "n", "N":
            error("\(what) is '\(text)', which YAML 1.1 reads as false and YAML 1.2 as text; write false", at: node.location)
        default:
            error("expected \(what) to be true or false, found '\(text)'", at: node.location)
        }
        return nil
    }

    /// Decimal integers only: a leading zero (`0644`) is octal in YAML 1.1 and decimal in 1.2.
    public func int(_ node: SourceNode, what: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(node, what: what) else { return nil }
        if Self.hasLeadingZero(text) {
            error("\(what) '\(text)' has a leading zero, which YAML 1.1 reads as octal; write \(Int(text) ?? 0) without it", at: node.location)
            return nil
        }
        guard let value = Int(text), text.allSatisfy({ $0.isNumber || $0 == "-" }) else {
            error("expected \(what) to be a whole number, found '\(text)'", at: node.location)
            return nil
        }
        guard range.contains(value) else {
            error("\(what) \(value) is out of range \(range.lowerBound)...\(range.upperBound)", at: node.location)
            return nil
        }
        return value
    }

    /// File modes are octal strings written quoted (`"0644"`): unquoted, YAML 1.1 reads `0644`
    /// as the octal number 420 and YAML 1.2 as 644, and `644` is a decimal number to both.
    public func fileMode(_ node: SourceNode, what: String) -> String? {
        guard let text = string(node, what: what), case .scalar(let scalar) = node else { return nil }
        if !scalar.quoted, text.allSatisfy(\.isNumber) {
            var reading = "YAML reads as the decimal number \(Int(text) ?? 0)"
            if Self.hasLeadingZero(text), let octal = Int(text, radix: 8) {
                reading = "YAML 1.1 reads as the octal number \(octal) and YAML 1.2 as \(Int(text) ?? 0)"
            }
            error("\(what) \(text) is unquoted, which \(reading); write it quoted: \"\(text)\"", at: node.location)
            return nil
        }
        guard (3...4).contains(text.count), text.allSatisfy({ ("0"..."7").contains($0) }) else {
            error("expected \(what) to be an octal file mode such as \"0644\", found '\(text)'", at: node.location)
            return nil
        }
        return text
    }

    public func oneOf<T: RawRepresentable & CaseIterable>(_ node: SourceNode, what: String, as: T.Type) -> T? where T.RawValue == String {
        guard let text = string(node, what: what) else { return nil }
        if let value = T(rawValue: text) { return value }
        let names = T.allCases.map(\.rawValue)
        var message = "\(what) '\(text)' is not one of \(names.joined(separator: ", "))"
        if let near = Suggestion.nearest(to: text, in: names) { message += "; did you mean '\(near)'?" }
        error(message, at: node.location)
        return nil
    }

    public func list(_ node: SourceNode, what: String) -> [SourceNode]? {
        switch node {
        case .sequence(let items, _): return items
        case .scalar(let scalar) where scalar.isNull: return []
        default:
            error("expected \(what) to be a list, found \(node.kindName)", at: node.location)
            return nil
        }
    }

    public func strings(_ node: SourceNode, what: String) -> [String]? {
        guard let items = list(node, what: what) else { return nil }
        let values = items.compactMap { string($0, what: "each entry of \(what)") }
        return values.count == items.count ? values : nil
    }

    public func vars(_ node: SourceNode) -> VarValue {
        switch node {
        case .scalar(let scalar): return .string(scalar.text)
        case .sequence(let items, _): return .list(items.map(vars))
        case .mapping(let pairs, _) where pairs.count == 1 && ["secret_env", "secret_file"].contains(pairs[0].key.text):
            guard let name = string(pairs[0].value, what: "'\(pairs[0].key.text)'") else { return .string("") }
            return .secret(Secret(pairs[0].key.text == "secret_env" ? .environment(name) : .file(name)))
        case .mapping(let pairs, _):
            return .map(Dictionary(pairs.map { ($0.key.text, vars($0.value)) }, uniquingKeysWith: { _, last in last }))
        }
    }

    /// `0644`: octal in YAML 1.1, decimal in YAML 1.2.
    private static func hasLeadingZero(_ text: String) -> Bool {
        text.count > 1 && text.first == "0" && text.allSatisfy(\.isNumber)
    }
}

/// The known keys found in one mapping, with their nodes.
public struct Fields {
    public var location: SourceLocation
    public var values: [String: SourceNode] = [:]
    public var keys: [String: SourceNode.Scalar] = [:]

    public subscript(key: String) -> SourceNode? { values[key] }
}
