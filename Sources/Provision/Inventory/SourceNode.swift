import Foundation
import Yams

/// A YAML node that remembers the file, line and column it came from, so that every error
/// found after merging defaults, groups and hosts still points at the text the user wrote.
///
/// Scalars are kept as the text the user typed, unresolved: YAML 1.1 would read `no` as false,
/// `0644` as octal and `52:54:00` as a base-60 number; the inventory decides per field instead.
public indirect enum SourceNode: Sendable {
    case scalar(Scalar)
    case mapping([(key: Scalar, value: SourceNode)], SourceLocation)
    case sequence([SourceNode], SourceLocation)

    public struct Scalar: Sendable {
        public var text: String
        /// True when the user quoted the value: `"no"` is text, `no` is a YAML 1.1 boolean trap.
        public var quoted: Bool
        /// True for `~`, `null` or an empty value.
        public var isNull: Bool
        public var location: SourceLocation
    }

    public var location: SourceLocation {
        switch self {
        case .scalar(let scalar): scalar.location
        case .mapping(_, let location), .sequence(_, let location): location
        }
    }

    public var kindName: String {
        switch self {
        case .scalar(let scalar): scalar.isNull ? "nothing" : "a value"
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }

    /// Parses one YAML document; parser errors become diagnostics with the file's position.
    /// A document that breaks one of `YAMLLimits`' bounds is refused before it is composed.
    public static func parse(yaml: String, file: String) throws(DiagnosticsError) -> SourceNode? {
        var sources = SourceTexts()
        sources.add(file: file, text: yaml)
        if let violation = YAMLLimits.violation(in: yaml, file: file) { throw DiagnosticsError([violation], sources: sources) }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml, .basic)  // no tag resolution: scalars stay text (see above)
        } catch let error as YamlError {
            var found = diagnostic(for: error, file: file, yaml: yaml)
            found.location = found.location.map(sources.clamped)
            throw DiagnosticsError([found], sources: sources)
        } catch {
            throw DiagnosticsError([.error("\(error)", at: SourceLocation(file: file, line: 1, column: 1))], sources: sources)
        }
        guard let root else { return nil }
        var diagnostics: [Diagnostic] = []
        let node = convert(root, file: file, diagnostics: &diagnostics)
        // An anchored mapping with a merge key is converted once per alias: report it once.
        if !diagnostics.isEmpty { throw DiagnosticsError(Array(Set(diagnostics)), sources: sources) }
        return node
    }

    private static func convert(_ node: Node, file: String, diagnostics: inout [Diagnostic]) -> SourceNode {
        let location = SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
        switch node {
        case .scalar(let scalar):
            return .scalar(convertScalar(scalar, file: file))
        case .mapping(let mapping):
            var pairs: [(key: Scalar, value: SourceNode)] = []
            for (key, value) in mapping {
                let keyScalar: Scalar
                if case .scalar(let scalar) = key {
                    keyScalar = convertScalar(scalar, file: file)
                    // Merge keys (`<<: *common`) are YAML 1.1 only, and would be a second way to
                    // layer settings beside defaults and groups, with a precedence of their own.
                    if scalar.string == "<<", scalar.style == .plain {
                        diagnostics.append(.error("YAML merge keys ('<<') are not supported: put shared settings in a group and list it in the hosts' 'groups', or in 'defaults'",
                                                  at: keyScalar.location))
                        continue
                    }
                } else {
                    let keyLocation = SourceLocation(file: file, line: key.mark?.line ?? 1, column: key.mark?.column ?? 1)
                    keyScalar = Scalar(text: "<complex key>", quoted: false, isNull: false, location: keyLocation)
                }
                pairs.append((keyScalar, convert(value, file: file, diagnostics: &diagnostics)))
            }
            return .mapping(pairs, location)
        case .sequence(let sequence):
            return .sequence(sequence.map { convert($0, file: file, diagnostics: &diagnostics) }, location)
        case .alias:
            return .scalar(Scalar(text: "", quoted: false, isNull: true, location: location))
        }
    }

    private static func convertScalar(_ scalar: Node.Scalar, file: String) -> Scalar {
        let location = SourceLocation(file: file, line: scalar.mark?.line ?? 1, column: scalar.mark?.column ?? 1)
        let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted || scalar.style == .literal || scalar.style == .folded
        let isNull = !quoted && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
        return Scalar(text: scalar.string, quoted: quoted, isNull: isNull, location: location)
    }

    private static func diagnostic(for error: YamlError, file: String, yaml: String) -> Diagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            var message = "YAML syntax: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            return .error(message, at: SourceLocation(file: file, line: mark.line, column: mark.column))
        case .duplicatedKeysInMapping(let duplicates, let context):
            // libyaml marks the first occurrence; point at the repeat, where the mistake usually is.
            let first = SourceLocation(file: file, line: context.mark.line, column: context.mark.column)
            let message = "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in one mapping: the second would silently replace the first; keep one"
            guard let key = duplicates.first, let second = repeatedKey(key, after: first, in: yaml) else { return .error(message, at: first) }
            return .error(message, at: second, related: [.note("first defined here", at: first)])
        default:
            return .error("YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    /// The next line after `first` that holds `key:` at the same indentation.
    private static func repeatedKey(_ key: String, after first: SourceLocation, in yaml: String) -> SourceLocation? {
        let indent = String(repeating: " ", count: first.column - 1)
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line < lines.count else { return nil }
        for number in first.line..<lines.count {
            let line = lines[number]
            if line.hasPrefix(indent + key + ":") || line.hasPrefix(indent + "\"" + key + "\":") || line.hasPrefix(indent + "'" + key + "':") {
                return SourceLocation(file: first.file, line: number + 1, column: first.column)
            }
            if let firstCharacter = line.firstIndex(where: { $0 != " " }), line.distance(from: line.startIndex, to: firstCharacter) < indent.count,
               !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") { return nil }
        }
        return nil
    }
}
