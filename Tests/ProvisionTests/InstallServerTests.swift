import Foundation
import Testing
@testable import Provision

/// The install server over real HTTP on loopback, with a real SQLite state file.
@Suite("Install server", .tags(.medium))
struct InstallServerTests {
    /// A rendered example tree, a state file and a running server on an ephemeral port. Every
    /// host's known_hosts is a file of the test's own, never the user's.
    final class Running: Sendable {
        let directory: TemporaryDirectory
        let lifecycle: InstallLifecycle
        let base: String
        let task: Task<Void, any Error>
        var knownHosts: String { "\(directory.path)/known_hosts" }

        init() async throws {
            directory = try TemporaryDirectory()
            let tree = "\(directory.path)/pxe"
            var inventory = try loadExample()
            for index in inventory.hosts.indices { inventory.hosts[index].ssh.knownHosts = "\(directory.path)/known_hosts" }
            let renderer = NetbootRenderer(inventory: inventory, templates: try TemplateSet())
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
            try await CurlHTTP.get("\(base)\(path)")
        }

        func post(_ path: String, body: String) async throws -> Int {
            try await CurlHTTP.post("\(base)\(path)", form: body).status
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

    @Test("the installed callback's host key, URL-encoded as the preseed's sed and the kickstart's curl do it, is recorded and replaces the host's old known_hosts entries; a malformed key is refused with 400 and logged, the host stays armed")
    func hostKeyCallback() async throws {
        let server = try await Running()
        do {
            let store = server.lifecycle.store
            let inventory = server.lifecycle.renderer.inventory
            let debian = try #require(inventory.host(named: "kvm-a01")), rocky = try #require(inventory.host(named: "kvm-a04"))
            let keys = try (1...3).map { index in
                let file = "\(server.directory.path)/key\(index)"
                try #require(try run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "root@host\(index)", "-f", file]).status == 0)
                return file + ".pub"
            }
            func knownHostsKey(_ file: String) throws -> String {
                try SSHHostKey(line: try String(contentsOfFile: file, encoding: .utf8)).knownHostsKey
            }
            // An earlier install's key of kvm-a01, and another host's entry that must stay.
            let otherEntry = "10.20.9.99 \(try knownHostsKey(keys[2]))"
            try "10.20.1.11 \(try knownHostsKey(keys[1]))\n\(otherEntry)\n".write(toFile: server.knownHosts, atomically: true, encoding: .utf8)
            try server.lifecycle.arm([debian, rocky])

            let preseed = try await server.get("/install/kvm-a01/preseed.cfg").body
            let token = try #require(preseed.firstMatch(of: /token=([0-9a-f]{64})/)?.1).description
            #expect(try await server.post("/v1/hosts/kvm-a01/installed", body: "token=\(token)&host_key=ssh-ed25519+bm90LWEta2V5") == 400)
            #expect(try store.record(host: "kvm-a01").phase == .installing, "a refused callback changes nothing")
            #expect(try store.events(host: "kvm-a01").last?.detail?.contains("malformed host key: the key's content does not name its type ssh-ed25519") == true)

            // The preseed's own encoding: its sed line, run on the key file.
            let sed = try #require(preseed.split(separator: "\n").first { $0.contains("key=$(sed") })
                .trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "; \\", with: "")
                .replacingOccurrences(of: "/target/etc/ssh/ssh_host_ed25519_key.pub", with: keys[0])
            let encoded = try run("sh", ["-c", "\(sed); printf %s \"$key\""])
            #expect(encoded.output.hasPrefix("ssh-ed25519+") && !encoded.output.contains(" ") && encoded.output.hasSuffix("root@host1"), "\(encoded.output)")
            #expect(try await server.post("/v1/hosts/kvm-a01/installed", body: "token=\(token)&host_key=\(encoded.output)") == 204)
            #expect(try store.record(host: "kvm-a01").hostKey == (try knownHostsKey(keys[0])))
            #expect(try String(contentsOfFile: server.knownHosts, encoding: .utf8) == "\(otherEntry)\n10.20.1.11 \(try knownHostsKey(keys[0]))\n")

            // The kickstart's own callback: its curl line (--data-urlencode), run as it is.
            let kickstart = try await server.get("/install/kvm-a04/ks.cfg").body
            let curl = try #require(kickstart.split(separator: "\n").first { $0.hasPrefix("curl ") })
                .replacingOccurrences(of: "@/etc/ssh/ssh_host_ed25519_key.pub", with: "@\(keys[1])")
                .replacingOccurrences(of: "http://10.20.0.5:8080", with: server.base)
            // Off the cooperative pool: the server it calls answers on that pool.
            let posted = try await DedicatedThread.run { () throws -> (status: Int32, output: String) in try run("sh", ["-c", String(curl)]) }
            #expect(posted.status == 0, "\(posted.output)")
            #expect(try store.record(host: "kvm-a04").phase == .installed)
            #expect(KnownHosts(path: server.knownHosts).entries.map { "\($0.patterns) \($0.keyType) \($0.key)" }
                    == [otherEntry, "10.20.1.11 \(try knownHostsKey(keys[0]))", "10.20.1.14 \(try knownHostsKey(keys[1]))"])
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
