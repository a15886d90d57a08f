import Foundation
import Testing
@testable import Provision

@Suite("Netboot rendering", .tags(.small))
struct RenderTests {
    /// Renders the example inventory with kvm-a01 (Debian, UEFI), kvm-a04 (Rocky, UEFI) and kvm-b03
    /// (Ubuntu) armed, into a fresh directory.
    static func renderExample(into directory: String) throws -> [NetbootRenderer.RenderedFile] {
        let renderer = NetbootRenderer(inventory: try loadExample(), templates: try TemplateSet())
        let files = renderer.renderTree(armed: ["kvm-a01", "kvm-a04", "kvm-b03", "kvm-b04"], tftpRoot: "/srv/provision/pxe/tftp")
        _ = try BootTreeWriter.write(files, to: directory)
        return files
    }

    @Test("the rendered tree matches the golden files byte for byte (UPDATE_GOLDEN=1 rewrites them and fails)")
    func golden() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let files = try Self.renderExample(into: "\(temporary.path)/pxe")
        let golden = Fixtures.path("golden/example")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try? FileManager.default.removeItem(atPath: golden)
            _ = try BootTreeWriter.write(files, to: golden)
            // Compared with what was just written, the tree would always pass: nothing was tested.
            Issue.record("UPDATE_GOLDEN=1: rewrote \(golden); review `git diff` there, then run again without UPDATE_GOLDEN")
            return
        }
        let goldenFiles = Set(FileManager.default.enumerator(atPath: golden)!.compactMap { $0 as? String }.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: "\(golden)/\(path)", isDirectory: &isDirectory) && !isDirectory.boolValue
        })
        #expect(goldenFiles == Set(files.map(\.path)))
        for file in files {
            let expected = try String(contentsOfFile: "\(golden)/\(file.path)", encoding: .utf8)
            #expect(file.content == expected, "\(file.path) differs from the golden file:\n\(UnifiedDiff.diff(old: expected, new: file.content, oldName: "golden", newName: "rendered") ?? "")")
        }
    }


    @Test("an armed host boots its installer, an unarmed one its disk, in pxelinux, GRUB and iPXE alike")
    func armedAndLocal() throws {
        let inventory = try loadExample()
        let renderer = NetbootRenderer(inventory: inventory, templates: try TemplateSet())
        let host = try #require(inventory.host(named: "kvm-a01"))
        let armed = Dictionary(uniqueKeysWithValues: renderer.bootFiles(for: host, armed: true).map { ($0.path, $0.content) })
        let local = Dictionary(uniqueKeysWithValues: renderer.bootFiles(for: host, armed: false).map { ($0.path, $0.content) })
        #expect(Set(armed.keys) == [
            "tftp/pxelinux.cfg/01-3c-ec-ef-10-a0-01",
            "tftp/debian-installer/amd64/grub/grub.cfg-3c:ec:ef:10:a0:01",
            "tftp/debian-installer/amd64/grub/grub.cfg-01-3c-ec-ef-10-a0-01",
            "http/ipxe/3c-ec-ef-10-a0-01.ipxe",
        ])
        let preseedURL = "url=http://10.20.0.5:8080/install/kvm-a01/preseed.cfg"
        for (path, content) in armed {
            #expect(content.contains(preseedURL), "\(path) does not start the installer")
            #expect(content.contains("netcfg/choose_interface=3c:ec:ef:10:a0:01"))
        }
        #expect(local["tftp/pxelinux.cfg/01-3c-ec-ef-10-a0-01"]!.contains("LOCALBOOT 0"))
        #expect(local["tftp/debian-installer/amd64/grub/grub.cfg-3c:ec:ef:10:a0:01"]!.hasSuffix("exit\n"))
        #expect(local["http/ipxe/3c-ec-ef-10-a0-01.ipxe"]!.hasSuffix("exit\n"))
        for content in local.values { #expect(!content.contains("preseed")) }
    }

    @Test("GRUB gets the Ubuntu datasource quoted (its shell splits on ';'), pxelinux and iPXE as is")
    func grubQuoting() throws {
        let inventory = try loadExample()
        let host = try #require(inventory.host(named: "kvm-b03"))
        let entry = BootEntry(host: host, site: inventory.site)
        #expect(entry.commandLine == "ip=dhcp autoinstall ds=nocloud;s=http://10.20.0.5:8080/install/kvm-b03/")
        #expect(entry.grubCommandLine == "ip=dhcp autoinstall 'ds=nocloud;s=http://10.20.0.5:8080/install/kvm-b03/'")
        let rocky = BootEntry(host: try #require(inventory.host(named: "kvm-a04")), site: inventory.site)
        #expect(rocky.arguments.contains("ip=10.20.1.14::10.20.1.1:255.255.255.0:kvm-a04.dc1.example.net:bootnic:none"))
        #expect(rocky.arguments.contains("ifname=bootnic:3c:ec:ef:10:a0:31"))
    }

    @Test("no secret is rendered: only the password hash, and the token marker instead of a token")
    func noSecrets() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let files = try Self.renderExample(into: "\(temporary.path)/pxe")
        let installFiles = files.filter { $0.path.hasPrefix("install/") && !$0.path.hasSuffix("meta-data") }
        #expect(installFiles.count == 12)  // one preseed, kickstart or user-data per host
        for file in installFiles {
            #expect(file.content.contains("$6$provisionexample$"), "\(file.path) lacks the root hash")
            #expect(file.content.contains(InstallToken.marker), "\(file.path) has no callback token marker")
            #expect(!file.content.contains("example-only-not-a-real-password"))
        }
    }

    @Test("a site template overrides the built-in one; a broken template is reported at its file and line")
    func templateOverrideAndErrors() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        try FileManager.default.createDirectory(atPath: "\(temporary.path)/boot", withIntermediateDirectories: true)
        try "# site local boot for {{host.name}}\nLOCALBOOT 0\n".write(toFile: "\(temporary.path)/boot/pxelinux-local.cfg.mustache", atomically: true, encoding: .utf8)
        let templates = try TemplateSet(override: temporary.path)
        let inventory = try loadExample()
        let host = try #require(inventory.host(named: "kvm-a02"))
        let files = NetbootRenderer(inventory: inventory, templates: templates).bootFiles(for: host, armed: false)
        #expect(files.first { $0.path.hasPrefix("tftp/pxelinux.cfg/01-") }?.content == "# site local boot for kvm-a02\nLOCALBOOT 0\n")

        try "DEFAULT install\n{{#host}}\n  KERNEL {{boot.kernel}}\n".write(toFile: "\(temporary.path)/boot/pxelinux-install.cfg.mustache", atomically: true, encoding: .utf8)
        let error = try #require(throws: DiagnosticsError.self) { try TemplateSet(override: temporary.path) }
        let diagnostic = try #require(error.diagnostics.first)
        #expect(diagnostic.location?.file == "\(temporary.path)/boot/pxelinux-install.cfg.mustache")
        #expect(diagnostic.message.contains("never closed"))
        #expect((diagnostic.location?.line ?? 0) >= 2)
    }
}
