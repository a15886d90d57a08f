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
        return try parse(yaml: yaml, file: file, sources: sources)
    }

    /// The same, with `sources` already holding the text of `file` (a loader's, for its own
    /// errors too): the text is split into lines once.
    public static func parse(yaml: String, file: String, sources: SourceTexts) throws(DiagnosticsError) -> SourceNode? {
        let marks = Marks(file: file, end: sources.end(of: file) ?? SourceLocation(file: file, line: .max, column: 1))
        if let violation = YAMLLimits.violation(in: yaml, file: file) { throw DiagnosticsError([violation], sources: sources) }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml, .basic)  // no tag resolution: scalars stay text (see above)
        } catch let error as YamlError {
            throw DiagnosticsError([diagnostic(for: error, marks: marks, yaml: yaml)], sources: sources)
        } catch {
            throw DiagnosticsError([.error("\(error)", at: SourceLocation(file: file, line: 1, column: 1))], sources: sources)
        }
        guard let root else { return nil }
        var diagnostics: [Diagnostic] = []
        let node = convert(root, marks: marks, diagnostics: &diagnostics)
        // An anchored mapping with a merge key is converted once per alias: report it once.
        if !diagnostics.isEmpty { throw DiagnosticsError(Array(Set(diagnostics)), sources: sources) }
        return node
    }

    private static func convert(_ node: Node, marks: Marks, diagnostics: inout [Diagnostic]) -> SourceNode {
        let location = marks.location(node.mark)
        switch node {
        case .scalar(let scalar):
            return .scalar(convertScalar(scalar, marks: marks))
        case .mapping(let mapping):
            var pairs: [(key: Scalar, value: SourceNode)] = []
            for (key, value) in mapping {
                let keyScalar: Scalar
                if case .scalar(let scalar) = key {
                    keyScalar = convertScalar(scalar, marks: marks)
                    // Merge keys (`<<: *common`) are YAML 1.1 only, and would be a second way to
                    // layer settings beside defaults and groups, with a precedence of their own.
                    if scalar.string == "<<", scalar.style == .plain {
                        diagnostics.append(.error("YAML merge keys ('<<') are not supported: put shared settings in a group and list it in the hosts' 'groups', or in 'defaults'",
                                                  at: keyScalar.location))
                        continue
                    }
                } else {
                    let keyLocation = marks.location(key.mark)
                    keyScalar = Scalar(text: "<complex key>", quoted: false, isNull: false, location: keyLocation)
                }
                pairs.append((keyScalar, convert(value, marks: marks, diagnostics: &diagnostics)))
            }
            return .mapping(pairs, location)
        case .sequence(let sequence):
            return .sequence(sequence.map { convert($0, marks: marks, diagnostics: &diagnostics) }, location)
        case .alias:
            return .scalar(Scalar(text: "", quoted: false, isNull: true, location: location))
        }
    }

    private static func convertScalar(_ scalar: Node.Scalar, marks: Marks) -> Scalar {
        let location = marks.location(scalar.mark)
        let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted || scalar.style == .literal || scalar.style == .folded
        let isNull = !quoted && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
        return Scalar(text: scalar.string, quoted: quoted, isNull: isNull, location: location)
    }

    private static func diagnostic(for error: YamlError, marks: Marks, yaml: String) -> Diagnostic {
        let file = marks.file
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            var message = "YAML syntax: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            return .error(message, at: marks.location(mark))
        case .duplicatedKeysInMapping(let duplicates, let context):
            // libyaml marks the first occurrence; point at the repeat, where the mistake usually is.
            let first = marks.location(context.mark)
            let message = "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in one mapping: the second would silently replace the first; keep one"
            guard let key = duplicates.first, let second = repeatedKey(key, after: first, in: yaml) else { return .error(message, at: first) }
            return .error(message, at: second, related: [.note("first defined here", at: first)])
        default:
            return .error("YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    /// Yams' marks as locations in the file. libyaml counts a line break the file does not have
    /// at its end: what it finds there (an empty document, a mapping cut short) is put at the
    /// end of the last line, which an error's excerpt can show.
    private struct Marks {
        let file: String
        let end: SourceLocation

        func location(_ mark: Mark?) -> SourceLocation {
            guard let mark else { return SourceLocation(file: file, line: 1, column: 1) }
            return mark.line > end.line ? end : SourceLocation(file: file, line: mark.line, column: mark.column)
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
