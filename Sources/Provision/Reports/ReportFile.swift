import Foundation

/// A report that a run writes to a file: `--report json=FILE`, `junit=FILE`, `prometheus=FILE`.
/// Each is written atomically, so a reader (node_exporter, a CI job) never sees half of one.
public struct ReportFile: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        case json, junit, prometheus
    }

    public var format: Format
    public var path: String

    public init(format: Format, path: String) {
        self.format = format
        self.path = path
    }

    /// Parses `FORMAT=FILE`; nil with the reason when it is not one.
    public static func parse(_ text: String) -> Result<ReportFile, ReportFileError> {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        let formats = Format.allCases.map(\.rawValue).joined(separator: ", ")
        guard parts.count == 2, !parts[1].isEmpty else {
            return .failure(ReportFileError(message: "--report '\(text)' is not FORMAT=FILE (formats: \(formats))"))
        }
        guard let format = Format(rawValue: parts[0]) else {
            var message = "--report format '\(parts[0])' is unknown (formats: \(formats))"
            if let near = Suggestion.nearest(to: parts[0], in: Format.allCases.map(\.rawValue)) { message += "; did you mean '\(near)'?" }
            return .failure(ReportFileError(message: message))
        }
        return .success(ReportFile(format: format, path: parts[1]))
    }

    public func write(_ run: RunSummary) throws {
        let text = switch format {
        case .json: JSONReport.render(run)
        case .junit: JUnitReport.render(run)
        case .prometheus: PrometheusReport.render(run)
        }
        try AtomicFile.write(text, to: path)
    }
}

public struct ReportFileError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
