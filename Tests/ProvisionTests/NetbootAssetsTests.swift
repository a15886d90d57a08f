import Foundation
import Testing
@testable import Provision

@Suite("Netboot assets", .tags(.medium))
struct NetbootAssetsTests {
    /// A static HTTP server (python3's http.server) on loopback, serving `directory`.
    struct StaticServer {
        let child: ChildProcess
        let port: Int

        init(directory: String) throws {
            let log = "\(directory)/../http-server.log"
            child = try ChildProcess("python3", ["-u", "-c", """
                import http.server, functools, sys
                handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
                server = http.server.HTTPServer(("127.0.0.1", 0), handler)
                print("port", server.server_address[1], flush=True)
                server.serve_forever()
                """, directory], outputFile: log)
            var port = 0
            for _ in 0..<100 where port == 0 {
                usleep(50_000)
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                port = text.split(separator: "\n").first { $0.hasPrefix("port ") }.flatMap { Int($0.dropFirst(5)) } ?? 0
            }
            self.port = port
        }

        func stop() { child.stop() }
    }

    @Test("Debian's packages fill the boot loaders and the Debian installer; renders keep them")
    func fromPackages() async throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let tree = "\(temporary.path)/pxe"
        let renderer = NetbootRenderer(inventory: try loadExample(), templates: try TemplateSet())
        _ = try BootTreeWriter.write(renderer.renderTree(armed: [], tftpRoot: "\(tree)/tftp"), to: tree)
        try await NetbootAssets.install(NetbootAssets.debianPackages, into: tree)
        for name in ["pxelinux.0", "ldlinux.c32", "bootnetx64.efi", "grubx64.efi", "ipxe.efi", "undionly.kpxe", "installers/debian-12/linux", "installers/debian-12/initrd"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: "\(tree)/tftp/\(name)")
            #expect(attributes[.type] as? FileAttributeType == .typeRegular, "\(name) is a regular file, not a link out of the tree")
            #expect((attributes[.size] as? Int ?? 0) > 1000, "\(name) is the real thing")
        }
        let summary = try BootTreeWriter.write(renderer.renderTree(armed: [], tftpRoot: "\(tree)/tftp"), to: tree)
        #expect(summary.assets == 8)
        #expect(FileManager.default.fileExists(atPath: "\(tree)/tftp/installers/debian-12/initrd"))
    }

    @Test("a URL asset is placed only when its sha256 matches; a mismatch replaces nothing")
    func pinnedDownloads() async throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let served = "\(temporary.path)/served"
        try FileManager.default.createDirectory(atPath: served, withIntermediateDirectories: true)
        try "UBUNTU KERNEL".write(toFile: "\(served)/linux", atomically: true, encoding: .utf8)
        let goodSHA = try NetbootAssets.sha256(ofFile: "\(served)/linux")
        let server = try StaticServer(directory: served)
        defer { server.stop() }
        let tree = "\(temporary.path)/pxe"
        try FileManager.default.createDirectory(atPath: "\(tree)/tftp/installers/ubuntu-24.04", withIntermediateDirectories: true)
        try "OLD".write(toFile: "\(tree)/tftp/installers/ubuntu-24.04/linux", atomically: true, encoding: .utf8)
        try "OLD LOADER".write(toFile: "\(tree)/tftp/pxelinux.0", atomically: true, encoding: .utf8)

        let url = "http://127.0.0.1:\(server.port)/linux"
        let wrong = NetbootAssets.Source(path: "installers/ubuntu-24.04/linux", origin: .url(url, sha256: String(repeating: "a", count: 64)))
        let error = await #expect(throws: NetbootAssets.AssetError.self) {
            try await NetbootAssets.install([NetbootAssets.debianPackages[0], wrong], into: tree)
        }
        #expect(error?.description.contains("but the inventory pins aaaa") == true)
        #expect(try String(contentsOfFile: "\(tree)/tftp/installers/ubuntu-24.04/linux", encoding: .utf8) == "OLD")
        #expect(try String(contentsOfFile: "\(tree)/tftp/pxelinux.0", encoding: .utf8) == "OLD LOADER", "the packaged asset staged before the mismatch is not placed either")

        let right = NetbootAssets.Source(path: "installers/ubuntu-24.04/linux", origin: .url(url, sha256: goodSHA))
        try await NetbootAssets.install([right], into: tree)
        #expect(try String(contentsOfFile: "\(tree)/tftp/installers/ubuntu-24.04/linux", encoding: .utf8) == "UBUNTU KERNEL")
        #expect(try String(contentsOfFile: "\(tree)/\(BootTree.assetManifest)", encoding: .utf8) == "tftp/installers/ubuntu-24.04/linux\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tree).filter { $0.hasPrefix(".assets-staging") }.isEmpty)

        let missing = NetbootAssets.Source(path: "installers/ubuntu-24.04/initrd", origin: .url("http://127.0.0.1:\(server.port)/nope", sha256: goodSHA))
        await #expect(throws: NetbootAssets.AssetError.self) { try await NetbootAssets.install([missing], into: tree) }
    }
}
