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
        let port: Int
        let task: Task<Void, any Error>
        var knownHosts: String { "\(directory.path)/known_hosts" }

        /// `relayed`: the example site's hosts (10.20.0.0/16) reach the server from 127.0.0.1, as
        /// through a NAT; `addresses` gives hosts loopback addresses of their own instead.
        init(relayed: Bool = true, addresses: [String: String] = [:], headerTimeout: Duration = .seconds(30)) async throws {
            directory = try TemporaryDirectory()
            let tree = "\(directory.path)/pxe"
            var inventory = try loadExample()
            for index in inventory.hosts.indices {
                inventory.hosts[index].ssh.knownHosts = "\(directory.path)/known_hosts"
                if let address = addresses[inventory.hosts[index].name] { inventory.hosts[index].network.address = try #require(IPv4Address(address)) }
            }
            if relayed { inventory.site.installRelays = [InstallRelay(network: try #require(IPv4Address("10.20.0.0")), prefix: 16, from: try #require(IPv4Address("127.0.0.1")))] }
            let renderer = NetbootRenderer(inventory: inventory, templates: try TemplateSet())
            _ = try BootTreeWriter.write(renderer.renderTree(armed: [], tftpRoot: "\(tree)/tftp"), to: tree)
            lifecycle = InstallLifecycle(renderer: renderer, store: try InstallStateStore(path: "\(directory.path)/state.sqlite"), tree: tree,
                                        homeDirectory: directory.path)
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let server = InstallServer(lifecycle: lifecycle, host: "127.0.0.1", port: 0, headerTimeout: headerTimeout)
            task = Task { try await server.run { continuation.yield($0) } }
            var iterator = ports.makeAsyncIterator()
            port = await iterator.next() ?? 0
            base = "http://127.0.0.1:\(port)"
        }

        /// Requests from `source` (a loopback address), off the shared threads.
        func from<Value: Sendable>(_ source: String, _ work: @escaping @Sendable (LoopbackHTTP) throws -> Value) async throws -> Value {
            let client = LoopbackHTTP(source: source, port: port)
            return try await DedicatedThread.run { () throws -> Value in try work(client) }
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

        /// `provision status` of the example inventory, over this server's state file.
        func status(_ options: [String] = []) async throws -> (status: Int32, output: String) {
            let arguments = ["status", "--inventory", Fixtures.exampleInventory, "--state", lifecycle.store.path] + options
            return try await DedicatedThread.run { () throws -> (status: Int32, output: String) in try run(CommandLineTests.binary, arguments) }
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
            let refusals = try store.refusals()
            #expect(refusals.map(\.reason) == [.notArmed, .wrongToken] && refusals.allSatisfy { $0.host == "kvm-a01" && $0.peer == "127.0.0.1" && $0.count == 1 },
                    "\(refusals)")
            #expect(try store.events(host: "kvm-a01").map(\.event) == ["armed", "fetched", "installed"], "a refusal adds no event")
            #expect(try store.events(host: "kvm-a01").compactMap(\.detail).allSatisfy { !$0.contains(token) }, "no token in the log")

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
            #expect(try store.refusals().map(\.reason) == [.malformedHostKey])

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

    @Test("the install file and the callback are bound to the host's address: a stranger gets 404 (an alarm), the first fetch binds the host, a second fetch from elsewhere and the token from elsewhere are refused as alarms, and status shows them")
    func addressBinding() async throws {
        // kvm-a01 installs from 127.0.0.21; 127.0.0.99 is a stranger on the provisioning network.
        let server = try await Running(relayed: false, addresses: ["kvm-a01": "127.0.0.21"])
        do {
            let store = server.lifecycle.store
            try server.lifecycle.arm([try #require(server.lifecycle.renderer.inventory.host(named: "kvm-a01"))])
            #expect(try await server.from("127.0.0.99") { try $0.get("/install/kvm-a01/preseed.cfg") }.status == 404)
            #expect(try store.record(host: "kvm-a01").phase == .armed, "a stranger's fetch changes nothing")

            let fetched = try await server.from("127.0.0.21") { try $0.get("/install/kvm-a01/preseed.cfg") }
            #expect(fetched.status == 200)
            let token = try #require(fetched.body.firstMatch(of: /token=([0-9a-f]{64})/)?.1).description
            #expect(try store.record(host: "kvm-a01").fetchedFrom == "127.0.0.21")
            #expect(try await server.from("127.0.0.21") { try $0.get("/install/kvm-a01/preseed.cfg") }.status == 200, "the host may fetch again")
            #expect(try await server.from("127.0.0.99") { try $0.get("/install/kvm-a01/preseed.cfg") }.status == 404)

            // The stolen token with the stranger's own key: refused, the stranger's key trusted nowhere.
            let strangerKey = "ssh-ed25519+\(InstallServerFuzzTests.strangerKey)"
            #expect(try await server.from("127.0.0.99") { try $0.post("/v1/hosts/kvm-a01/installed", form: "token=\(token)&host_key=\(strangerKey)") } == 403)
            #expect(try store.record(host: "kvm-a01").phase == .installing)
            #expect(!FileManager.default.fileExists(atPath: server.knownHosts))
            #expect(try await server.from("127.0.0.21") { try $0.post("/v1/hosts/kvm-a01/installed", form: "token=\(token)") } == 204)

            let refusals = try store.refusals()
            #expect(refusals.map(\.reason) == [.foreignCallback, .foreignFetch] && refusals.allSatisfy { $0.alarm && $0.peer == "127.0.0.99" })
            #expect(refusals.first { $0.reason == .foreignFetch }?.count == 2)
            let alarms = try store.events(host: "kvm-a01").filter { $0.event == "alarm" }.compactMap(\.detail)
            #expect(alarms.count == 2 && alarms.allSatisfy { $0.hasSuffix(": 127.0.0.99") }, "\(alarms)")

            let status = try await server.status()
            #expect(status.status == 0, "\(status.output)")
            let alarmLines = status.output.split(separator: "\n").filter { $0.hasPrefix("kvm-a01") && $0.contains("127.0.0.99") }
            #expect(alarmLines.count == 2 && alarmLines.allSatisfy { $0.contains("ALARM") }, "\(status.output)")
            let json = try await server.status(["--json"])
            let report = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
            let listed = try #require(report["refusals"] as? [[String: Any]])
            #expect(listed.count == 2 && listed.allSatisfy { $0["alarm"] as? Bool == true && $0["host"] as? String == "kvm-a01" })
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("requests without a valid token add no row each: 10,000 bad callbacks (unknown hosts, wrong tokens, bad keys, replays) from a few addresses leave a few counted rows, and status shows the counts")
    func refusalsAreBounded() async throws {
        let server = try await Running()
        do {
            let store = server.lifecycle.store
            try server.lifecycle.arm([try #require(server.lifecycle.renderer.inventory.host(named: "kvm-a01"))])
            let bodies = ["token=\(String(repeating: "0", count: 64))", "token=", "", "token=x&host_key=ssh-ed25519+AAAA"]
            let paths = ["/v1/hosts/kvm-a01/installed", "/v1/hosts/kvm-a01/failed", "/v1/hosts/kvm-a02/installed"]
            let total = 10_000
            try await server.from("127.0.0.1") { client in
                for index in 0..<total {
                    // Every other one for a host name that is new each time.
                    let path = index % 2 == 0 ? "/v1/hosts/ghost-\(index)/installed" : paths[index / 2 % paths.count]
                    let status = try client.post(path, form: bodies[index / 6 % bodies.count])
                    guard status == 403 || status == 400 else { throw SetupFailure(message: "\(path): \(status)") }
                }
            }
            #expect(try store.events().count == 1, "only the arming is an event")
            let refusals = try store.refusals()
            #expect(refusals.count <= 5, "\(refusals)")
            #expect(refusals.reduce(0) { $0 + $1.count } == total)
            #expect(refusals.first { $0.reason == .unknownHost }?.count == total / 2)
            #expect(try store.record(host: "kvm-a01").phase == .armed)

            let status = try await server.status()
            #expect(status.output.contains("callback for a host the inventory does not have"), "\(status.output)")
            #expect(status.output.split(separator: "\n").contains { $0.hasPrefix("*") && $0.contains(" \(total / 2) ") }, "\(status.output)")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("past its capacity the refusal table counts new addresses under '*': it stays bounded", .tags(.small))
    func refusalCapacity() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try InstallStateStore(path: "\(directory.path)/state.sqlite", refusalCapacity: 5)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for index in 0..<500 {
            try store.refuse(host: "kvm-a01", reason: .wrongToken, from: "10.20.\(index / 250).\(index % 250)", now: start.addingTimeInterval(Double(index) / 10))
        }
        let refusals = try store.refusals()
        #expect(refusals.count == 6)
        #expect(refusals.first { $0.peer == "*" }?.count == 495)
        #expect(refusals.reduce(0) { $0 + $1.count } == 500)
        // A new store on the same file counts on in the same rows.
        let reopened = try InstallStateStore(path: store.path, refusalCapacity: 5)
        try reopened.refuse(host: "kvm-a01", reason: .wrongToken, from: "10.20.9.9")
        #expect(try reopened.refusals().count == 6)
    }

    @Test("a connection whose request headers never end is closed by the server (header timeout)")
    func headerTimeout() async throws {
        let server = try await Running(headerTimeout: .seconds(1))
        do {
            // A generous bound: the read gives up after 60 s if the server kept the connection open.
            let closed = try await server.from("127.0.0.1") { client -> Bool in
                let fd = try client.connect(timeout: 60)
                defer { close(fd) }
                try LoopbackHTTP.send(fd, "GET /boot.ipxe HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                return (try? LoopbackHTTP.readAll(fd)) != nil
            }
            #expect(closed, "the server still held the connection after 60 s")
            // A whole request on a new connection is still answered.
            #expect(try await server.from("127.0.0.1") { try $0.get("/boot.ipxe") }.status == 200)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("a failed callback's reason is kept, one line, bounded, without the token, and status shows it")
    func failureReason() async throws {
        let server = try await Running()
        do {
            let store = server.lifecycle.store
            try server.lifecycle.arm([try #require(server.lifecycle.renderer.inventory.host(named: "kvm-a04"))])
            let fetched = try await server.get("/install/kvm-a04/ks.cfg")
            let token = try #require(fetched.body.firstMatch(of: /token=([0-9a-f]{64})/)?.1).description
            let reason = "partitioning failed:%0A%1B[31m/dev/sda%00 not found; curl -d token=\(token)" + String(repeating: "+x", count: 300)
            #expect(try await server.post("/v1/hosts/kvm-a04/failed", body: "token=\(token)&reason=\(reason)") == 204)
            let record = try store.record(host: "kvm-a04")
            #expect(record.phase == .failed)
            let kept = try #require(record.failureReason)
            #expect(kept.hasPrefix("partitioning failed: [31m/dev/sda not found; curl -d token=[token] x x"), "\(kept)")
            #expect(kept.count == InstallStateStore.reasonLength && !kept.contains(token) && !kept.unicodeScalars.contains { CharacterSet.controlCharacters.contains($0) })
            #expect(try store.events(host: "kvm-a04").last?.detail?.hasSuffix(kept) == true)

            let status = try await server.status()
            #expect(status.output.split(separator: "\n").contains { $0.hasPrefix("kvm-a04") && $0.contains("failed") && $0.contains("installer: partitioning failed:") },
                    "\(status.output)")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("serve on a port that is taken says which address it cannot listen on, and exits 1", .tags(.small))
    func busyPort() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let taken = try LoopbackSocket()
        defer { close(taken.fd) }
        try #require(listen(taken.fd, 1) == 0)
        let result = try run(CommandLineTests.binary, ["serve", "--listen", "127.0.0.1:\(taken.port)", "--inventory", Fixtures.exampleInventory,
                                                       "--state", "\(directory.path)/state.sqlite", "--tree", "\(directory.path)/pxe"])
        #expect(result.status == 1)
        #expect(result.output.contains("cannot listen on 127.0.0.1:\(taken.port): address already in use"), "\(result.output)")
        #expect(!result.output.contains("bind(descriptor"), "\(result.output)")
    }
}
