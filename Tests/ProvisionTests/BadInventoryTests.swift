import Foundation
import Testing
@testable import Provision

/// Each file under Fixtures/bad is an inventory with mistakes, and each under Fixtures/hostile
/// one made to exhaust the reader (alias bombs, deep nesting); its `# expect: LINE:COL: error: ...`
/// comments list exactly the errors `provision validate` must report, at those places.
@Suite("Bad inventories", .tags(.small))
struct BadInventoryTests {
    static let cases = ["bad", "hostile"].flatMap { directory in ExpectedDiagnostics.corpus(directory).map { "\(directory)/\($0)" } }

    /// A mistake of each kind the reader checks, and part of the message that reports it.
    static let kinds = [
        ("the site's install server", "'install_server'"), ("a required host field", "has no '"), ("an unknown key", "unknown key '"),
        ("a group", "which is not defined under 'groups'"), ("a NIC's MAC", "is not a MAC address"),
        ("the boot NIC", "NICs marked 'boot: true'"), ("the gateway", "is outside the subnet of host"), ("a bond", "bond '"),
        ("the OS release", "release '"), ("the disks", "'raid1: true' mirrors exactly two disks"),
        ("the BMC password", "the BMC password is never written inline"), ("the SSH address", "is not a host name or an IPv4 address"),
        ("two hosts on one MAC, address or SSH address", "is also used by host"), ("a YAML 1.1 trap", "which YAML 1.1 reads as"),
        ("YAML syntax", "YAML syntax:"), ("a duplicate key", "duplicate key '"),
        ("an alias bomb", "makes this document stand for more than"), ("deep nesting", "nested more than 64 levels deep"),
    ]

    @Test("the corpus has a mistake of each kind the reader checks", arguments: kinds)
    func corpusCovers(kind: String, message: String) throws {
        try ExpectedDiagnostics.expectCovered(kind, message: message, in: ["bad", "hostile"])
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
