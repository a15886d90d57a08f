import Foundation
import Testing
@testable import Provision

/// How an inventory is read (the hostile fixtures are in BadInventoryTests' corpus): bounds that
/// stop hostile YAML, file errors that say which file and why, the files of an inventory directory, the order errors print in, secrets kept out of the
/// excerpts under errors.
@Suite("Reading inventories", .tags(.small))
struct InventoryReadingTests {
    @Test("a file over the size bound is refused before it is read")
    func hugeFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/huge.yml"
        let line = "# " + String(repeating: "x", count: 1_021) + "\n"
        try String(repeating: line, count: 17 * 1_024).write(toFile: path, atomically: false, encoding: .utf8)
        let error = try #require(throws: DiagnosticsError.self) { try InventoryLoader.load(path: path) }
        #expect(error.diagnostics.map(\.description) == ["\(path):1:1: error: inventory file '\(path)' is 17 MiB, more than the 16 MiB a file may have"])
        let text = try #require(throws: DiagnosticsError.self) { try SourceNode.parse(yaml: String(repeating: line, count: 17 * 1_024), file: "given.yml") }
        #expect(text.diagnostics.map(\.description) == ["given.yml:1:1: error: the file is 17 MiB, more than the 16 MiB an inventory file may have: split it into a directory of files"])
    }

    @Test("20,000 errors: the first 200 printed, in order, then how many more, and the exact count")
    func manyErrorsCapped() throws {
        let keys = (1...20_000).map { String(format: "k%06d: 1\n", $0) }.joined()
        let error = try #require(throws: DiagnosticsError.self) { try InventoryLoader.load(files: [("many.yml", keys)]) }
        #expect(error.diagnostics.count == 20_001)  // and the missing 'site'
        let lines = error.description.split(separator: "\n").map(String.init)
        let errorLines = lines.filter { $0.hasPrefix("many.yml:") }
        #expect(errorLines.count == 200)
        #expect(errorLines.first == "many.yml:1:1: error: the inventory has no 'site' section; it needs at least 'install_server'")
        #expect(errorLines.last?.hasPrefix("many.yml:199:1: error: unknown key 'k000199'") == true)
        #expect(lines.suffix(2) == ["... and 19801 more errors (the first 200 are shown)", "20001 errors"])
    }

    @Test("line ends as YAML counts them (CR LF, a lone CR, NEL, LS): an error's excerpt is the line it names")
    func lineEnds() throws {
        for end in ["\r\n", "\r", "\u{85}", "\u{2028}", "\n"] {
            let text = ["site:", "  install_server: http://127.0.0.1:8080", "hosts:", "  node-1: {domian: x}"].joined(separator: end) + end
            let error = try #require(throws: DiagnosticsError.self) { try InventoryLoader.load(files: [("ends.yml", text)]) }
            let unknown = try #require(error.diagnostics.first { $0.message.hasPrefix("unknown key 'domian'") })
            #expect(unknown.location?.line == 4, "\(unknown)")
            #expect(unknown.rendered(sources: error.sources).contains("\n  node-1: {domian: x}\n"), "\(unknown.rendered(sources: error.sources))")
        }
    }

    @Test("a file cut short inside a mapping: the error is at the end of its last line, which the excerpt shows")
    func cutShort() throws {
        let text = "site:\n  install_server: http://127.0.0.1:8080\nhosts: {node-1: {domain: x"
        let error = try #require(throws: DiagnosticsError.self) { try InventoryLoader.load(files: [("cut.yml", text)]) }
        #expect(error.diagnostics.map(\.location) == [SourceLocation(file: "cut.yml", line: 3, column: 27)])
        #expect(error.description.contains("\nhosts: {node-1: {domain: x\n" + String(repeating: " ", count: 26) + "^"), "\(error)")
    }

    @Test("a document with nothing in it ('---'): its errors are on its one line, which the excerpt shows")
    func emptyDocument() throws {
        let error = try #require(throws: DiagnosticsError.self) { try InventoryLoader.load(files: [("dashes.yml", "---")]) }
        #expect(!error.diagnostics.isEmpty)
        for diagnostic in error.diagnostics {
            #expect(diagnostic.location.map { $0.line == 1 && error.sources.line($0.line, of: $0.file) == "---" } == true, "\(diagnostic)")
        }
    }

    @Test("errors at one place print by message: the same text on every run")
    func stableOrder() throws {
        let error = try #require(throws: DiagnosticsError.self) { try InventoryLoader.load(path: Fixtures.path("bad/host-without-settings.yml")) }
        let messages = error.diagnostics.map(\.message)
        #expect(messages.count >= 5)
        #expect(Set(error.diagnostics.map(\.location)).count == 1)
        #expect(messages == messages.sorted())
    }

    @Test("a refused plaintext password is not printed back: the excerpt masks it, the key and the caret stay")
    func secretsMaskedInExcerpts() throws {
        let plaintext = try #require(throws: DiagnosticsError.self) { try InventoryLoader.load(path: Fixtures.path("bad/plaintext-password.yml")) }
        let text = plaintext.description
        #expect(!text.contains("hunter2"), "\(text)")
        #expect(text.contains("error: plaintext passwords are refused: give 'root_password_hash' a hash instead (e.g. from `mkpasswd -m sha-512`)\n    root_password: ********\n    ^"))
        #expect(text.contains("    root_password_hash: ********\n                        ^"))
        let bmc = try #require(throws: DiagnosticsError.self) { try InventoryLoader.load(path: Fixtures.path("bad/bmc-inline-password.yml")) }
        #expect(!bmc.description.contains("calvin"), "\(bmc.description)")
        #expect(bmc.description.contains("username: admin, password: ********}\n" + String(repeating: " ", count: 75) + "^"))
    }

    @Test("masking: flow and block values, quoted ones, comments kept; references and other keys shown", arguments: [
        ("  root_password: hunter2   # not like this", "  root_password: ********   # not like this"),
        ("  bmc: {password: \"a, b}\", user: x}", "  bmc: {password: ********, user: x}"),
        ("  vars: {db_password: 'it''s', api_token: [a, b], host: db}", "  vars: {db_password: ********, api_token: ********, host: db}"),
        ("  bmc: {password_env: BMC_PASSWORD, password_file: /etc/bmc}", "  bmc: {password_env: BMC_PASSWORD, password_file: /etc/bmc}"),
        ("  nova_password: {secret_env: NOVA_PASSWORD}", "  nova_password: {secret_env: NOVA_PASSWORD}"),
        ("  - secret: |", "  - secret: |"),
        ("  timezone: Europe/Berlin", "  timezone: Europe/Berlin"),
    ])
    func masking(line: String, shown: String) {
        #expect(MaskedLine(line).text == shown)
    }

    @Test("the caret keeps its place in a masked line")
    func maskedCaret() {
        let line = MaskedLine("{password: hunter2hunter2, bad: 1}")
        #expect(line.text == "{password: ********, bad: 1}")
        #expect(line.column(for: 2) == 2)
        #expect(line.column(for: 15) == 12, "inside the value: its start")
        #expect(line.column(for: 28) == 22, "after it: moved by the difference")
    }

    @Test("file errors say which file and why")
    func fileErrors() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let inventory = "\(directory.path)/inventory"
        try FileManager.default.createDirectory(atPath: "\(inventory)/20-racks.yml", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(inventory)/30-loop.yml", withDestinationPath: "\(inventory)/30-loop.yml")
        try Data([0x73, 0x69, 0x74, 0x65, 0x3a, 0x0a, 0x20, 0x20, 0xff, 0x0a]).write(to: URL(fileURLWithPath: "\(inventory)/40-latin1.yml"))
        let error = try #require(throws: DiagnosticsError.self) { try InventoryLoader.load(path: inventory) }
        #expect(error.diagnostics.map(\.description) == [
            "error: inventory file '\(inventory)/20-racks.yml' is a directory, not a file",
            "error: inventory file '\(inventory)/30-loop.yml' is a symbolic link loop (a link that leads back to itself)",
            "\(inventory)/40-latin1.yml:2:3: error: inventory file '\(inventory)/40-latin1.yml' is not UTF-8 text (line 2, column 3); save it as UTF-8",
        ])
        let loop = try #require(throws: DiagnosticsError.self) { try InventoryLoader.load(path: "\(inventory)/30-loop.yml") }
        #expect(loop.diagnostics.map(\.description) == ["error: inventory '\(inventory)/30-loop.yml' is a symbolic link loop (a link that leads back to itself); pass one with --inventory"])
        // Root reads every file, so the wording for one it may not read is checked directly.
        #expect(TextFile.reason(openError: EACCES) == "cannot be read: permission denied (check its mode and owner)")
    }

    @Test("an empty inventory says so, and what an inventory needs")
    func emptyFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/site.yml"
        try "# nothing yet\n".write(toFile: path, atomically: false, encoding: .utf8)
        let error = try #require(throws: DiagnosticsError.self) { try InventoryLoader.load(path: path) }
        #expect(error.diagnostics.map(\.description) == ["""
            \(path):1:1: error: inventory file '\(path)' is empty (or holds only comments): an inventory needs at least a 'site' with \
            'install_server', 'defaults' (or groups) with each host's settings, and 'hosts'; see inventory/example.yml
            """])
    }

    @Test("an inventory directory reads *.yml and *.yaml, not hidden files, editor lock or swap files, nor backups")
    func directoryFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let split = Fixtures.path("inventories/split")
        let names = try FileManager.default.contentsOfDirectory(atPath: split).filter { $0.hasSuffix(".yml") }.sorted()
        for (index, name) in names.enumerated() {
            // One file as .yaml: read like the others.
            let target = index == names.count - 1 ? (name as NSString).deletingPathExtension + ".yaml" : name
            try FileManager.default.copyItem(atPath: "\(split)/\(name)", toPath: "\(directory.path)/\(target)")
        }
        let expected = try InventoryLoader.load(path: split).hosts.map(\.name)
        // What editors leave beside a file being edited: each would be a second definition of
        // every host in it, or a YAML error.
        for junk in [".#20-b.yml", ".20-b.yml.swp", "20-b.yml~", ".hidden.yml"] {
            try "hosts: {broken".write(toFile: "\(directory.path)/\(junk)", atomically: false, encoding: .utf8)
        }
        #expect(try InventoryLoader.load(path: directory.path).hosts.map(\.name) == expected)
        #expect(!InventoryLoader.isInventoryFile(".#20-b.yml"))
        #expect(InventoryLoader.isInventoryFile("20-b.yaml"))
    }
}
