/// One problem found in a user's input, anchored where the user has to look.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning, note }

    public var severity: Severity
    public var location: SourceLocation?
    public var message: String
    /// A second place that belongs to the same problem (the first of two duplicates).
    public var related: [Diagnostic]

    public init(_ severity: Severity = .error, at location: SourceLocation?, _ message: String, related: [Diagnostic] = []) {
        self.severity = severity
        self.location = location
        self.message = message
        self.related = related
    }

    public static func error(_ message: String, at location: SourceLocation?, related: [Diagnostic] = []) -> Diagnostic {
        Diagnostic(.error, at: location, message, related: related)
    }

    public static func note(_ message: String, at location: SourceLocation?) -> Diagnostic {
        Diagnostic(.note, at: location, message)
    }

    /// `file:line:column: error: message`, the way compilers print it, without source excerpts.
    public var description: String {
        var text = location.map { "\($0): " } ?? ""
        text += "\(severity.rawValue): \(message)"
        for note in related { text += "\n" + note.description }
        return text
    }

    /// The compiler-style text with the offending line and a caret under the column; values
    /// that look secret are masked in the line (`MaskedLine`).
    public func rendered(sources: SourceTexts) -> String {
        var text = location.map { "\($0): " } ?? ""
        text += "\(severity.rawValue): \(message)"
        if let location, let line = sources.line(location.line, of: location.file) {
            let masked = MaskedLine(line)
            text += "\n" + masked.text + "\n" + String(repeating: " ", count: max(0, masked.column(for: location.column) - 1)) + "^"
        }
        for note in related { text += "\n" + note.rendered(sources: sources) }
        return text
    }

    /// The order errors are printed in: by file, line and column (those without a place
    /// first), then by message, so that the same input prints the same text on every run.
    static func printedBefore(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
        switch (a.location, b.location) {
        case (nil, nil): return a.message < b.message
        case (nil, _): return true
        case (_, nil): return false
        case (let x?, let y?): return x != y ? x < y : a.message < b.message
        }
    }
}

/// The texts of files that diagnostics point into, to print the offending line.
public struct SourceTexts: Sendable {
    private var lines: [String: [Substring]] = [:]

    public init() {}

    public mutating func add(file: String, text: String) {
        lines[file] = Self.lines(of: text)
    }

    /// Lines as YAML (libyaml) counts them, so that the line an error names is the one printed:
    /// a break is LF, CR LF or a lone CR (a file saved with old Mac line ends), or one of
    /// Unicode's NEL, LS and PS.
    static func lines(of text: String) -> [Substring] {
        var lines: [Substring] = []
        var start = text.startIndex
        var index = start
        let scalars = text.unicodeScalars
        while index < text.endIndex {
            let scalar = scalars[index]
            let next = scalars.index(after: index)
            switch scalar {
            case "\n", "\u{85}", "\u{2028}", "\u{2029}":
                lines.append(text[start..<index])
                start = next
            case "\r":
                lines.append(text[start..<index])
                start = next < text.endIndex && scalars[next] == "\n" ? scalars.index(after: next) : next
            default:
                break
            }
            index = max(next, start)
        }
        lines.append(text[start...])
        return lines
    }

    /// Adds every file of `other` (a file both hold keeps `other`'s text).
    public mutating func merge(_ other: SourceTexts) {
        lines.merge(other.lines) { _, new in new }
    }

    /// Just past the last character of `file`'s last line: where a YAML parser reports what is
    /// missing at the end of a file (it counts a line break there that the file may not have).
    func end(of file: String) -> SourceLocation? {
        guard let fileLines = lines[file], let last = fileLines.last else { return nil }
        return SourceLocation(file: file, line: fileLines.count, column: last.count + 1)
    }

    public func line(_ number: Int, of file: String) -> String? {
        guard let fileLines = lines[file], number >= 1, number <= fileLines.count else { return nil }
        return String(fileLines[number - 1]).replacingTabs()
    }
}

private extension String {
    /// Tabs would shift the caret; YAML forbids them in indentation anyway.
    func replacingTabs() -> String { split(separator: "\t", omittingEmptySubsequences: false).joined(separator: " ") }
}

/// Thrown when an input has errors: all of them, sorted by position, so one run shows everything.
public struct DiagnosticsError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public var sources: SourceTexts

    /// How many are printed: enough to fix a file by, few enough that a generated inventory
    /// gone wrong (400,000 errors) does not flood a terminal or a CI log. The count is exact.
    public static let printedLimit = 200

    public init(_ diagnostics: [Diagnostic], sources: SourceTexts = SourceTexts()) {
        self.diagnostics = diagnostics.sorted(by: Diagnostic.printedBefore)
        self.sources = sources
    }

    public var description: String {
        let count = diagnostics.filter { $0.severity == .error }.count
        var text = diagnostics.prefix(Self.printedLimit).map { $0.rendered(sources: sources) }.joined(separator: "\n")
        if diagnostics.count > Self.printedLimit {
            let more = diagnostics.count - Self.printedLimit
            text += "\n... and \(more) more error\(more == 1 ? "" : "s") (the first \(Self.printedLimit) are shown)"
        }
        return text + "\n\(count) error\(count == 1 ? "" : "s")"
    }
}
