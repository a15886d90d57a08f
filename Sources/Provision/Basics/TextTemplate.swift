import Foundation
import Mustache

/// A Mustache template that renders text (no HTML escaping), parsed once; a syntax error is a
/// diagnostic at the template's file:line:column. Boot and install files and the playbooks'
/// template resources all render through this one type.
public struct TextTemplate: Sendable {
    /// Switches off swift-mustache's HTML escaping. It goes on the first line without a
    /// newline, so line numbers stay the user's (only line 1's columns shift, and are mapped back).
    private static let textPragma = "{{% CONTENT_TYPE: TEXT}}"

    private let template: MustacheTemplate
    /// Where the template was read from.
    public let path: String

    /// Parses `text`, read from `path` (the path only names the source in errors).
    public init(_ text: String, path: String) throws(DiagnosticsError) {
        self.path = path
        var sources = SourceTexts()
        sources.add(file: path, text: text)
        do {
            template = try MustacheTemplate(string: Self.textPragma + text)
        } catch let error as MustacheTemplate.ParserError {
            let line = error.context.lineNumber
            let column = error.context.columnNumber - (line == 1 ? Self.textPragma.count : 0)
            throw DiagnosticsError([.error("template syntax: \(Self.explain(error.error))", at: SourceLocation(file: path, line: line, column: max(1, column)))],
                                   sources: sources)
        } catch {
            throw DiagnosticsError([.error("template syntax: \(error)", at: SourceLocation(file: path, line: 1, column: 1))], sources: sources)
        }
    }

    /// Reads and parses the template file at `path`.
    public init(contentsOf path: String) throws(DiagnosticsError) {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw DiagnosticsError([.error("template '\(path)' is missing or not UTF-8 text", at: nil)])
        }
        try self.init(text, path: path)
    }

    public func render(_ context: [String: Any]) -> String {
        template.render(context)
    }

    private static func explain(_ error: any Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect: "a section is closed with a different name than it was opened with"
        case .unfinishedName: "a tag is not closed with }}"
        case .expectedSectionEnd: "a section {{#name}} is never closed with {{/name}}"
        case .invalidSetDelimiter: "a set-delimiter tag is malformed"
        default: "\(error)" == "overflow" ? "the template ends inside a tag (a {{ without its }})" : "\(error)"
        }
    }
}
