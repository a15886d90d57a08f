import Foundation
import Testing
@testable import Provision

/// Where the binary finds its templates once it is not in the checkout it was built in.
@Suite("Share directory", .tags(.medium))
struct ShareDirectoryTests {
    /// The built binary copied to `relative` under a fresh directory; runs `netboot render` of the
    /// loopback fixture there.
    struct CopiedBinary {
        let directory: TemporaryDirectory
        let binary: String

        init(at relative: String) throws {
            directory = try TemporaryDirectory()
            binary = "\(directory.path)/\(relative)"
            try FileManager.default.createDirectory(atPath: (binary as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            // By cp, not copyItem: a child another test spawns meanwhile would inherit this
            // process's descriptor open for writing, and the copy could not be run (ETXTBSY).
            let copied = try run("cp", [CommandLineTests.binary, binary])
            guard copied.status == 0 else { throw SetupFailure(message: "cp \(CommandLineTests.binary): \(copied.output)") }
        }

        func render(environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
            try run(binary, ["netboot", "render", "--inventory", Fixtures.path("inventories/loopback.yml"), "--state", "\(directory.path)/state.sqlite",
                             "--tree", "\(directory.path)/pxe"], environment: environment)
        }

        func installTemplates(into share: String) throws {
            try FileManager.default.createDirectory(atPath: "\(directory.path)/\(share)", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "\(Fixtures.repository)/templates", toPath: "\(directory.path)/\(share)/templates")
        }
    }

    @Test("a binary copied out of the checkout says where it looked for its templates and what to do (exit 1)")
    func copiedBinaryWithoutData() throws {
        let copy = try CopiedBinary(at: "bin/provision")
        defer { copy.directory.remove() }
        let result = try copy.render()
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("looked in:\n  \(copy.directory.path)/share/provision/templates (../share/provision from the executable)"), "\(result.output)")
        #expect(result.output.contains("set PROVISION_SHARE to a directory that holds templates/"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(copy.directory.path)/pxe"))
    }

    @Test("a binary copied out of the checkout validates hypervisors to a readable error (exit 64), not a crash: the role's template is a data file too")
    func copiedBinaryValidatesRoles() throws {
        let copy = try CopiedBinary(at: "bin/provision")
        defer { copy.directory.remove() }
        let result = try run(copy.binary, ["validate", "--inventory", Fixtures.exampleInventory, "--state", "\(copy.directory.path)/state.sqlite"])
        #expect(result.status == 64, "\(result.output)")
        #expect(result.output.contains("role 'hypervisor': provision's data files (its built-in templates) are not installed where"), "\(result.output)")
        #expect(result.output.contains("set PROVISION_SHARE to a directory that holds templates/"), "\(result.output)")
    }

    @Test("an installed tree (PREFIX/bin, PREFIX/share/provision) renders with its own templates")
    func installedTree() throws {
        let copy = try CopiedBinary(at: "usr/local/bin/provision")
        defer { copy.directory.remove() }
        try copy.installTemplates(into: "usr/local/share/provision")
        let result = try copy.render()
        #expect(result.status == 0, "\(result.output)")
        #expect(FileManager.default.fileExists(atPath: "\(copy.directory.path)/pxe/dnsmasq.conf"))
    }

    @Test("PROVISION_SHARE overrides the installed place, and a wrong one is not replaced by another")
    func environmentOverride() throws {
        let copy = try CopiedBinary(at: "bin/provision")
        defer { copy.directory.remove() }
        try copy.installTemplates(into: "elsewhere")
        let found = try copy.render(environment: ["PROVISION_SHARE": "\(copy.directory.path)/elsewhere"])
        #expect(found.status == 0, "\(found.output)")

        try copy.installTemplates(into: "share/provision")
        let wrong = try copy.render(environment: ["PROVISION_SHARE": "\(copy.directory.path)/nowhere"])
        #expect(wrong.status == 1, "\(wrong.output)")
        #expect(wrong.output.contains("\(copy.directory.path)/nowhere/templates (PROVISION_SHARE is set)"), "\(wrong.output)")
    }

    @Test("a development binary finds the checkout it was built in, also from a nested package's build tree")
    func checkoutOfABuildTree() throws {
        let checkout = Fixtures.repository
        let main = ShareDirectory.Origin(executable: "\(checkout)/.build/x86_64-unknown-linux-gnu/debug/provision", override: nil)
        #expect(try ShareDirectory.locate(from: main).path == checkout)
        let fuzz = ShareDirectory.Origin(executable: "\(checkout)/tests/fuzz/.build/debug/fuzz-inventory", override: nil)
        #expect(try ShareDirectory.locate(from: fuzz).path == checkout)
    }
}
