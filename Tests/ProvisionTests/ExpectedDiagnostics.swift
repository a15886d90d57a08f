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

    /// Loads a fixture with `load` and expects exactly the errors its `# expect:` lines list.
    static func check(_ path: String, namingFiles: Bool = false, sourceLocation: Testing.SourceLocation = #_sourceLocation,
                      load: () throws -> Void) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let expected = text.split(separator: "\n").filter { $0.hasPrefix("# expect: ") }.map { String($0.dropFirst("# expect: ".count)) }
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
