import Foundation
import Provision
import Testing

/// Fixtures of broken input list, in `# expect: ...` comments, exactly the errors that loading
/// them must report: `LINE:COL: error: MESSAGE`, or `FILE:LINE:COL: error: MESSAGE` (the file's
/// name only) where errors are spread over several files.
enum ExpectedDiagnostics {
    /// The `*.yml` fixtures in a directory under Fixtures, by name.
    static func corpus(_ directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.path(directory))) ?? []
        return names.filter { $0.hasSuffix(".yml") }.sorted()
    }

    /// The `# expect:` lines of a fixture, without the prefix.
    static func expected(in path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").filter { $0.hasPrefix("# expect: ") }.map { String($0.dropFirst("# expect: ".count)) }
    }

    /// Expects a fixture in one of the corpora `directories` to expect an error about `kind`:
    /// one whose message contains `message`. A corpus that lost its cases (or all its files)
    /// fails here, where the tests over each file would pass by running none.
    static func expectCovered(_ kind: String, message: String, in directories: [String],
                              sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let messages = try directories.flatMap { directory in
            try corpus(directory).flatMap { try expected(in: Fixtures.path("\(directory)/\($0)")) }
        }.map { line in line.firstRange(of: " error: ").map { String(line[$0.upperBound...]) } ?? line }
        #expect(messages.contains { $0.contains(message) },
                "no fixture under \(directories.map { "Fixtures/\($0)" }.joined(separator: " or ")) expects an error about \(kind) ('\(message)')",
                sourceLocation: sourceLocation)
    }

    /// Loads a fixture with `load` and expects exactly the errors its `# expect:` lines list.
    static func check(_ path: String, namingFiles: Bool = false, sourceLocation: Testing.SourceLocation = #_sourceLocation,
                      load: () throws -> Void) throws {
        let expected = try expected(in: path)
        #expect(!expected.isEmpty, "\(path) has no '# expect:' lines", sourceLocation: sourceLocation)

        let error = try #require(throws: DiagnosticsError.self, sourceLocation: sourceLocation) { try load() }
        let reported = error.diagnostics.filter { $0.severity == .error }.map { diagnostic in
            let location = diagnostic.location!
            let file = namingFiles ? "\((location.file as NSString).lastPathComponent):" : ""
            return "\(file)\(location.line):\(location.column): error: \(diagnostic.message)"
        }
        #expect(reported.sorted() == expected.sorted(), sourceLocation: sourceLocation)
    }
}
