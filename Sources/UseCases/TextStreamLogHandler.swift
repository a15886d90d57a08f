import Foundation
import Logging

/// A swift-log handler that writes to one of the context's streams, so that what a use case
/// logs (BMC requests, the install server's requests) goes where its other output goes: the
/// process's stderr from the command line, a buffer in an in-process test. Each logger gets
/// its own handler: nothing process-wide is bootstrapped, so commands can run one after another
/// in one process.
struct TextStreamLogHandler: LogHandler {
    let label: String
    let stream: TextStream
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// One line: when (UTC, to the second), level, logger, metadata, message, as swift-log's
    /// own stream handler writes them.
    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let time = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
        stream.line("\(time) \(event.level) \(label):\(fields) \(event.message)")
    }
}

extension ProvisionContext {
    /// A logger that writes to `errors`, at `level` and above.
    public func logger(_ label: String, level: Logger.Level) -> Logger {
        let errors = errors
        return Logger(label: label) { label in TextStreamLogHandler(label: label, stream: errors, logLevel: level) }
    }
}
