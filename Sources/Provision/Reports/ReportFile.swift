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

    /// Why the report could not be written at the end of the run, found before it starts (for
    /// `apply`, before changes land): its directory is missing or not writable, or the path is
    /// a directory. Nil when it can be written.
    public func unwritableReason() -> String? {
        let parent = (path as NSString).deletingLastPathComponent
        let directory = parent.isEmpty ? "." : parent
        var status = stat()
        if stat(directory, &status) != 0 { return "its directory \(directory) \(TextFile.reason(statError: errno))" }
        if status.st_mode & S_IFMT != S_IFDIR { return "\(directory) is not a directory" }
        if access(directory, W_OK | X_OK) != 0 { return "its directory \(directory) is not writable: \(String(cString: strerror(errno)))" }
        if stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR { return "\(path) is a directory" }
        return nil
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
