import Foundation

/// Where a use case's text goes: the process's stdout or stderr, or a buffer a test reads.
public struct TextStream: Sendable {
    private let sink: @Sendable (String) -> Void

    public init(_ sink: @escaping @Sendable (String) -> Void) {
        self.sink = sink
    }

    public func write(_ text: String) {
        sink(text)
    }

    /// `text` and a line break.
    public func line(_ text: String) {
        sink(text + "\n")
    }

    public static let standardOutput = TextStream { FileHandle.standardOutput.write(Data($0.utf8)) }
    public static let standardError = TextStream { FileHandle.standardError.write(Data($0.utf8)) }
}
