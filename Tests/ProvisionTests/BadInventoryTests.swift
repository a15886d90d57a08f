import Foundation
import Testing
@testable import Provision

/// Each file under Fixtures/bad is an inventory with mistakes, and each under Fixtures/hostile
/// one made to exhaust the reader (alias bombs, deep nesting); its `# expect: LINE:COL: error: ...`
/// comments list exactly the errors `provision validate` must report, at those places.
@Suite("Bad inventories", .tags(.small))
struct BadInventoryTests {
    static let cases = ["bad", "hostile"].flatMap { directory in ExpectedDiagnostics.corpus(directory).map { "\(directory)/\($0)" } }

    @Test("the corpus is there", .tags(.small))
    func corpusPresent() {
        #expect(Self.cases.count >= 18)
    }

    @Test("every error is reported once, at its line and column, and nothing else", arguments: cases)
    func reportsExactly(name: String) throws {
        let path = Fixtures.path(name)
        try ExpectedDiagnostics.check(path) { _ = try InventoryLoader.load(path: path) }
    }

    @Test("the printed error shows file:line:column, the offending line and a caret under the column")
    func printedForm() throws {
        let path = Fixtures.path("bad/unknown-key.yml")
        let error = try #require(throws: DiagnosticsError.self) { try InventoryLoader.load(path: path) }
        let lines = error.description.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "\(path):15:5: error: unknown key 'firmwre' in host 'node-1'; did you mean 'firmware'?")
        #expect(lines[1] == "    firmwre: uefi")
        #expect(lines[2] == "    ^")
        #expect(lines.last == "1 error")
    }

    @Test("a duplicate names both places")
    func duplicateNotes() throws {
        let error = try #require(throws: DiagnosticsError.self) { try InventoryLoader.load(path: Fixtures.path("bad/duplicate-mac.yml")) }
        let note = try #require(error.diagnostics.first?.related.first)
        #expect(note.location?.line == 14)
        #expect(note.message == "host 'node-1' is defined here")
    }
}
