import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import Testing
@testable import Provision

extension Tag {
    /// Generated inputs, many of them: PROVISION_FUZZ_SERVER_INPUTS sets how many.
    @Tag static var fuzz: Self
}

/// The install server's request handling, driven with generated requests: its router (the one
/// `serve` runs) answers them in-process, each from a peer address of the test's choosing (a
/// host's own, its relay, another host's, strangers). For every request: no crash, no 5xx; an
/// install file only ever goes to the host's bound address; the state changes only by a fetch
/// the host may make or a callback with the host's token from its bound address; nothing
/// outside the tree's http/ and tftp/ is served; and the state file stays bounded.
///
/// CI runs a few thousand with a fixed seed; by hand: `PROVISION_FUZZ_SERVER_INPUTS=1000000
/// [PROVISION_FUZZ_SEED=N] swift test --skip-build --filter InstallServerFuzz` (bench/RESULTS.md).
@Suite("Install server requests, generated", .tags(.medium, .fuzz))
struct InstallServerFuzzTests {
    static let inputs = Int(ProcessInfo.processInfo.environment["PROVISION_FUZZ_SERVER_INPUTS"] ?? "") ?? 4_000
    /// The public half of an ed25519 key that no host has (the base64 of the key blob).
    static let strangerKey = "AAAAC3NzaC1lZDI1NTE5AAAAIIrKTzZ3T4KmfFB8uclmeUguLMdn8tOFAiaVV6VmsJL7"
    /// Hosts are armed again after this many requests, so every phase keeps being exercised.
    static let rearmEvery = 300

    /// One generated request and the peer it comes from.
    struct Input: CustomStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var headers: HTTPFields
        var body: String
        var peer: String?
        var description: String { "\(method) \(path) from \(peer ?? "no address") headers \(headers) body \(body.prefix(300).debugDescription)" }
    }

    /// The example site with a relay for rack a's network, a rendered tree, a state file, and
    /// a canary file beside the tree that no response may contain.
    final class Harness {
        let directory: TemporaryDirectory
        let lifecycle: InstallLifecycle
        let responder: RouterResponder<InstallRequestContext>
        let channel = NIOAsyncTestingChannel()
        let logger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })
        let canary = "canary-\(UUID().uuidString)"
        let relay = "192.0.2.1"

        init() async throws {
            directory = try TemporaryDirectory()
            var inventory = try loadExample()
            for index in inventory.hosts.indices { inventory.hosts[index].ssh.knownHosts = "\(directory.path)/known_hosts" }
            inventory.site.installRelays = [InstallRelay(network: try #require(IPv4Address("10.20.1.0")), prefix: 24, from: try #require(IPv4Address(relay)))]
            let tree = "\(directory.path)/pxe"
            let renderer = NetbootRenderer(inventory: inventory, templates: try TemplateSet())
            _ = try BootTreeWriter.write(renderer.renderTree(armed: [], tftpRoot: "\(tree)/tftp"), to: tree)
            try canary.write(toFile: "\(directory.path)/canary", atomically: true, encoding: .utf8)
            try canary.write(toFile: "\(tree)/canary", atomically: true, encoding: .utf8)
            lifecycle = InstallLifecycle(renderer: renderer, store: try InstallStateStore(path: "\(directory.path)/state.sqlite"), tree: tree,
                                        homeDirectory: directory.path)
            responder = InstallServer.router(lifecycle: lifecycle, logger: logger).buildResponder()
        }

        var hosts: [Provision.Host] { lifecycle.renderer.inventory.hosts }

        /// The router's answer as the server would send it (an HTTPError thrown is its status).
        func respond(_ input: Input) async -> (status: Int, body: String, thrown: (any Error)?) {
            let request = Request(head: HTTPRequest(method: input.method, scheme: "http", authority: "127.0.0.1", path: input.path, headerFields: input.headers),
                                  body: RequestBody(buffer: ByteBuffer(string: input.body)))
            let address = input.peer.flatMap { try? SocketAddress(ipAddress: $0, port: 40_000) }
            let context = InstallRequestContext(source: ApplicationRequestContextSource(channel: channel, logger: logger), remoteAddress: address)
            do {
                let response = try await responder.respond(to: request, context: context)
                let writer = CollectingWriter()
                try await response.body.write(writer)
                return (response.status.code, String(buffer: writer.collected.value), nil)
            } catch let error as any HTTPResponseError {
                return (error.status.code, "", nil)
            } catch {
                return (500, "", error)
            }
        }
    }

    /// SQLite's file change counter (the header's bytes 24-27): every transaction that writes
    /// the state file (rollback journal, as it uses) changes it, so the records need reading
    /// again only after one did.
    struct ChangeCounter {
        let path: String
        func read() -> UInt32 {
            guard let handle = FileHandle(forReadingAtPath: path) else { return 0 }
            defer { try? handle.close() }
            try? handle.seek(toOffset: 24)
            return (try? handle.read(upToCount: 4))?.reduce(0) { $0 << 8 | UInt32($1) } ?? 0
        }
    }

    /// A response body collected in memory.
    struct CollectingWriter: ResponseBodyWriter {
        final class Box: @unchecked Sendable { var value = ByteBuffer() }
        let collected = Box()
        func write(_ buffer: ByteBuffer) async throws { collected.value.writeImmutableBuffer(buffer) }
        func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    /// What the generator draws from. (Overlong paths are 1,000 characters: in a debug build the
    /// file middleware's path checks take time quadratic in the length, release builds not.)
    struct Alphabet {
        let hosts: [String]
        let files = ["preseed.cfg", "ks.cfg", "user-data", "meta-data", "", "..", "../../canary", "..%2f..%2fcanary", "%2e%2e", "preseed.cfg%00",
                     "preseed.cfg/", String(repeating: "a", count: 1000), "ks.cfg?x=1", "é", "\u{0}"]
        let staticPaths = ["/boot.ipxe", "/canary", "/../canary", "/%2e%2e/canary", "/%2e%2e%2fcanary", "/pxelinux.cfg/../../canary",
                           "/install/", "/install", "//install//kvm-a01//preseed.cfg", "/v1/hosts/", "/", "", "*", "/" + String(repeating: "x/", count: 500),
                           "/\u{7F}\u{1B}[31m", "/install/kvm-a01/preseed.cfg#frag", "/./install/./kvm-a01/preseed.cfg", "/tftp/../canary", "/..;/canary"]
        let methods: [HTTPRequest.Method] = [.get, .get, .get, .post, .post, .post, .head, .put, .delete, .options, .patch, HTTPRequest.Method("BREW")!]
        let strangers = ["10.20.9.99", "127.0.0.1", "::1", "10.20.2.11", "0.0.0.0", "255.255.255.255"]
        let junk = ["", "=", "&&&", "%", "%zz", "%00", "token", "token=%", "+", "\u{0}\u{1}\u{2}", String(repeating: "%41", count: 3000), "é€\u{FEFF}",
                    "host_key=ssh-rsa+AAAA", "host_key=ssh-ed25519", "reason=\u{1B}]0;title\u{7}"]
    }

    @Test("generated requests: no crash or 5xx, install files only to the bound address, no state change without the token, the state file bounded")
    func generatedRequests() async throws {
        let seed = FuzzTests.seed
        var random = FuzzTests.Generator(state: seed)
        let harness = try await Harness()
        defer { harness.directory.remove() }
        let alphabet = Alphabet(hosts: harness.hosts.map(\.name) + ["ghost-host", "", "KVM-A01", "kvm-a01.", String(repeating: "h", count: 300)])
        let store = harness.lifecycle.store
        /// The tokens each host's served install file held since it was last armed.
        var tokens: [String: String] = [:]
        var findings: [String] = []
        var arms = 0, refusedCallbacks = 0, accepted = 0, served = 0
        func finding(_ text: String) {
            if findings.count < 20 { findings.append(text) }
        }

        let counter = ChangeCounter(path: store.path)
        var before = Dictionary(uniqueKeysWithValues: try store.records().map { ($0.host, $0) })
        var written = counter.read()
        let started = ContinuousClock.now
        for index in 0..<Self.inputs {
            if index % Self.rearmEvery == 0 {
                try harness.lifecycle.arm(harness.hosts)
                arms += 1
                tokens = [:]
                before = Dictionary(uniqueKeysWithValues: try store.records().map { ($0.host, $0) })
                written = counter.read()
            }
            let input = Self.input(alphabet, harness: harness, tokens: tokens, records: before, &random)
            let answer = await harness.respond(input)
            let now = counter.read()
            let after = now == written ? before : Dictionary(uniqueKeysWithValues: try store.records().map { ($0.host, $0) })
            defer { before = after; written = now }

            if answer.status >= 500 { finding("\(answer.status) \(answer.thrown.map { "\($0)" } ?? "") for \(input)") }
            if answer.body.contains(harness.canary) { finding("the canary outside the tree was served for \(input)") }
            // The path as the router reads it: no query or fragment, empty segments skipped.
            let pathOnly: Substring = input.path.split(whereSeparator: { $0 == "?" || $0 == "#" }).first ?? ""
            let segments: [String] = [""] + pathOnly.split(separator: "/").map(String.init)
            let installPath = segments.count == 4 && segments[1] == "install"
            let callbackPath = segments.count == 5 && segments[1] == "v1" && segments[2] == "hosts" && ["installed", "failed"].contains(segments[4])
            let peer = input.peer.map { $0.hasPrefix("::ffff:") ? String($0.dropFirst(7)) : $0 } ?? "unknown"

            // An install file (it carries a token) goes only to its host's bound address.
            if let token = answer.body.firstMatch(of: /[0-9a-f]{64}/).map({ String($0.0) }) {
                if answer.status == 200, input.method == .get, installPath, let host = harness.lifecycle.renderer.inventory.host(named: segments[2]),
                   harness.lifecycle.installAddresses(of: host).contains(peer), after[host.name]?.fetchedFrom == peer {
                    tokens[host.name] = token
                    served += 1
                } else {
                    finding("a token was served for \(input)")
                }
            }
            // The state changes only as a fetch by the host or its callback with its token.
            for (host, record) in after where record != before[host] {
                let old = before[host]
                let allowedPeers = harness.lifecycle.renderer.inventory.host(named: host).map { harness.lifecycle.installAddresses(of: $0) } ?? []
                let fetch = input.method == .get && installPath && segments[2] == host && answer.status == 200 && old?.bootsInstaller == true
                    && record.phase == .installing && allowedPeers.contains(peer) && (old?.fetchedFrom == nil || old?.fetchedFrom == peer)
                let form = InstallServer.form(input.body)
                let presented = InstallServer.token(authorization: input.headers[.authorization], form: form)
                let callback = input.method == .post && callbackPath && segments[3] == host && answer.status == 204 && old?.bootsInstaller == true
                    && presented != nil && presented == tokens[host] && (old?.fetchedFrom.map { $0 == peer } ?? allowedPeers.contains(peer))
                    && record.phase == (segments[4] == "installed" ? .installed : .failed)
                if !fetch && !callback { finding("\(host) changed from \(String(describing: old)) to \(record) by \(input) (\(answer.status))") }
                if callback { accepted += 1 }
            }
            if answer.status == 204 && after == before { finding("204 without a change for \(input)") }
            if input.method == .post && [400, 403].contains(answer.status) { refusedCallbacks += 1 }
            if (index + 1) % 100_000 == 0 {
                FileHandle.standardError.write(Data("install server fuzz: \(index + 1) inputs, \(ContinuousClock.now - started), \(findings.count) findings\n".utf8))
            }
        }
        let elapsed = ContinuousClock.now - started

        // Every refused callback is counted, in few rows; events only for what happened.
        let refusals = try store.refusals()
        let callbackRefusals = refusals.filter { $0.reason != .foreignFetch }.reduce(0) { $0 + $1.count }
        #expect(callbackRefusals == refusedCallbacks, "refused callbacks: \(refusedCallbacks) answered, \(callbackRefusals) counted")
        let refusalRows = refusals.count, eventRows = try store.events().count
        let hostCount = harness.hosts.count
        #expect(refusalRows <= InstallStateStore.refusalCapacity + hostCount * InstallRefusal.Reason.allCases.count + 1)
        #expect(eventRows <= arms * hostCount * 3 + refusalRows, "\(eventRows) events for \(arms) armings of \(hostCount) hosts")
        #expect(findings.isEmpty, "seed \(seed): \(findings.joined(separator: "\n"))")
        print("install server fuzz: \(Self.inputs) inputs, seed \(seed), \(elapsed); \(served) files served, \(accepted) callbacks accepted, "
              + "\(refusedCallbacks) refused, \(arms) armings; state: \(refusalRows) refusal rows, \(eventRows) events; \(findings.count) findings")
    }

    /// A request: mostly near the real ones (a host's path, its peer, its token), so the state
    /// machine is reached, with everything around them garbled.
    static func input(_ alphabet: Alphabet, harness: Harness, tokens: [String: String], records: [String: InstallRecord], _ random: inout FuzzTests.Generator) -> Input {
        let hosts = harness.hosts
        let host = hosts.randomElement(using: &random)!
        let name = Int.random(in: 0..<10, using: &random) < 8 ? host.name : alphabet.hosts.randomElement(using: &random)!
        // The peer: the host's own address or relay (often), or anyone else.
        let own = Array(harness.lifecycle.installAddresses(of: host)).sorted()
        let peer: String? = switch Int.random(in: 0..<10, using: &random) {
        case 0..<3: records[host.name]?.fetchedFrom ?? own.randomElement(using: &random)
        case 3..<5: own.randomElement(using: &random)
        case 5: "::ffff:\(host.network.address)"
        case 6: hosts.randomElement(using: &random)!.network.address.description
        case 7: nil
        default: alphabet.strangers.randomElement(using: &random)
        }
        var method = alphabet.methods.randomElement(using: &random)!
        var path: String
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<4:
            method = Int.random(in: 0..<5, using: &random) == 0 ? method : .get
            path = "/install/\(name)/\(Int.random(in: 0..<2, using: &random) == 0 ? "preseed.cfg" : alphabet.files.randomElement(using: &random)!)"
        case 4..<8:
            method = Int.random(in: 0..<5, using: &random) == 0 ? method : .post
            path = "/v1/hosts/\(name)/\(["installed", "failed", "installed", "failed", "done", ""].randomElement(using: &random)!)"
        default:
            path = alphabet.staticPaths.randomElement(using: &random)!
        }
        if Int.random(in: 0..<20, using: &random) == 0 { path += ["?a=b", "?token=x", "%", "/", "/.."].randomElement(using: &random)! }

        // The token: the host's own (when it has one), another host's, a guess, nothing.
        let token: String? = switch Int.random(in: 0..<8, using: &random) {
        case 0..<4: tokens[host.name]
        case 4: tokens.keys.sorted().randomElement(using: &random).flatMap { tokens[$0] }
        case 5: String((0..<64).map { _ in "0123456789abcdef".randomElement(using: &random)! })
        case 6: ""
        default: nil
        }
        var fields: [String] = []
        if let token { fields.append("token=\(token)") }
        switch Int.random(in: 0..<4, using: &random) {
        case 0: fields.append("host_key=ssh-ed25519+\(strangerKey)")
        case 1: fields.append(alphabet.junk.randomElement(using: &random)!)
        default: break
        }
        if Int.random(in: 0..<4, using: &random) == 0 {
            fields.append("reason=" + String((0..<Int.random(in: 0..<400, using: &random)).map { _ in
                Character(Unicode.Scalar(UInt8.random(in: 0...127, using: &random)))
            }).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        }
        if Int.random(in: 0..<10, using: &random) == 0 { fields.append(alphabet.junk.randomElement(using: &random)!) }
        fields.shuffle(using: &random)
        var body = fields.joined(separator: "&")
        if Int.random(in: 0..<50, using: &random) == 0 { body = String(repeating: "a", count: 5000) }

        var headers = HTTPFields()
        if Int.random(in: 0..<2, using: &random) == 0 { headers[.contentType] = "application/x-www-form-urlencoded" }
        switch Int.random(in: 0..<8, using: &random) {
        case 0: headers[.authorization] = "Bearer \(tokens[host.name] ?? "")"
        case 1: headers[.authorization] = "Bearer \(tokens.keys.sorted().randomElement(using: &random).flatMap { tokens[$0] } ?? "x")"
        case 2: headers[.authorization] = ["Basic eDp5", "Bearer", "bearer \(token ?? "")", ""].randomElement(using: &random)!
        default: break
        }
        // A client's claims about who it is are no address.
        if Int.random(in: 0..<4, using: &random) == 0 { headers[HTTPFields.Element.Name("X-Forwarded-For")!] = own.randomElement(using: &random)! }
        return Input(method: method, path: path, headers: headers, body: body, peer: peer)
    }
}
