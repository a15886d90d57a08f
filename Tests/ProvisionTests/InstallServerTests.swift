import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import Provision

/// The install server over real HTTP on loopback, with a real SQLite state file.
@Suite("Install server", .tags(.medium))
struct InstallServerTests {
    /// A rendered example tree, a state file and a running server on an ephemeral port.
    final class Running: Sendable {
        let directory: TemporaryDirectory
        let lifecycle: InstallLifecycle
        let base: String
        let task: Task<Void, any Error>

        init() async throws {
            directory = try TemporaryDirectory()
            let tree = "\(directory.path)/pxe"
            let renderer = NetbootRenderer(inventory: try loadExample(), templates: try TemplateSet())
            _ = try BootTreeWriter.write(renderer.renderTree(armed: [], tftpRoot: "\(tree)/tftp"), to: tree)
            lifecycle = InstallLifecycle(renderer: renderer, store: try InstallStateStore(path: "\(directory.path)/state.sqlite"), tree: tree)
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let server = InstallServer(lifecycle: lifecycle, host: "127.0.0.1", port: 0)
            task = Task { try await server.run { continuation.yield($0) } }
            var iterator = ports.makeAsyncIterator()
            base = "http://127.0.0.1:\(await iterator.next() ?? 0)"
        }

        func stop() async {
            task.cancel()
            _ = await task.result
            directory.remove()
        }

        func get(_ path: String) async throws -> (status: Int, body: String) {
            let (data, response) = try await URLSession.shared.data(from: URL(string: base + path)!)
            return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
        }

        func post(_ path: String, body: String) async throws -> Int {
            var request = URLRequest(url: URL(string: base + path)!)
            request.httpMethod = "POST"
            request.httpBody = Data(body.utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            let (_, response) = try await URLSession.shared.data(for: request)
            return (response as! HTTPURLResponse).statusCode
        }

        func file(_ path: String) throws -> String { try String(contentsOfFile: "\(lifecycle.tree)/\(path)", encoding: .utf8) }
    }

    static let pxelinux = "tftp/pxelinux.cfg/01-3c-ec-ef-10-a0-01"
    static let grub = "tftp/debian-installer/amd64/grub/grub.cfg-3c:ec:ef:10:a0:01"

    @Test("exactly once: armed host fetches its file with its token, calls back, is disarmed; replays are refused")
    func exactlyOnce() async throws {
        let server = try await Running()
        let store = server.lifecycle.store
        do {
            // Not armed: no install file, local boot.
            #expect(try await server.get("/install/kvm-a01/preseed.cfg").status == 404)
            #expect(try server.file(Self.pxelinux).contains("LOCALBOOT 0"))

            let host = try #require(server.lifecycle.renderer.inventory.host(named: "kvm-a01"))
            try server.lifecycle.arm([host])
            #expect(try store.record(host: "kvm-a01").phase == .armed)
            #expect(try server.file(Self.pxelinux).contains("url=http://10.20.0.5:8080/install/kvm-a01/preseed.cfg"))
            #expect(try server.file(Self.grub).contains("linux /installers/debian-12/linux"))

            let fetched = try await server.get("/install/kvm-a01/preseed.cfg")
            #expect(fetched.status == 200)
            #expect(!fetched.body.contains(InstallToken.marker))
            let token = try #require(fetched.body.firstMatch(of: /token=([0-9a-f]{64})/)?.1).description
            #expect(try store.record(host: "kvm-a01").phase == .installing)
            // Another host that is not armed still gets nothing.
            #expect(try await server.get("/install/kvm-a02/preseed.cfg").status == 404)

            #expect(try await server.post("/v1/hosts/kvm-a01/installed", body: "token=\(String(repeating: "0", count: 64))") == 403)
            #expect(try store.record(host: "kvm-a01").phase == .installing)

            #expect(try await server.post("/v1/hosts/kvm-a01/installed", body: "token=\(token)") == 204)
            let record = try store.record(host: "kvm-a01")
            #expect(record.phase == .installed)
            #expect(record.finishedAt != nil)
            #expect(try server.file(Self.pxelinux).contains("LOCALBOOT 0"))
            #expect(try server.file(Self.grub).hasSuffix("exit\n"))
            #expect(try await server.get("/install/kvm-a01/preseed.cfg").status == 404)

            // The same callback again is a replay.
            #expect(try await server.post("/v1/hosts/kvm-a01/installed", body: "token=\(token)") == 403)
            let refusals = try store.events(host: "kvm-a01").filter { $0.event == "refused" }.compactMap(\.detail)
            #expect(refusals.count == 2)
            #expect(refusals.contains { $0.hasSuffix("wrong token") })
            #expect(refusals.contains { $0.contains("not armed") })
            #expect(!refusals.joined().contains(token), "no token in the log")

            // A restarted server reads the same state.
            let reopened = try InstallStateStore(path: store.path)
            #expect(try reopened.record(host: "kvm-a01").phase == .installed)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("a failure report disarms the host as failed; static files are served; install dirs are not listed")
    func failureAndStatic() async throws {
        let server = try await Running()
        do {
            let host = try #require(server.lifecycle.renderer.inventory.host(named: "kvm-a04"))
            try server.lifecycle.arm([host])
            let fetched = try await server.get("/install/kvm-a04/ks.cfg")
            let token = try #require(fetched.body.firstMatch(of: /token=([0-9a-f]{64})/)?.1).description
            #expect(try await server.post("/v1/hosts/kvm-a04/failed", body: "token=\(token)") == 204)
            #expect(try server.lifecycle.store.record(host: "kvm-a04").phase == .failed)

            let boot = try await server.get("/boot.ipxe")
            #expect(boot.status == 200)
            #expect(boot.body.contains("${mac:hexhyp}"))
            #expect(try await server.get("/install/kvm-a05/").status == 404)
            #expect(try await server.get("/install/no-such-host/preseed.cfg").status == 404)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}
