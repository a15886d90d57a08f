import Foundation
import Testing
@testable import Provision

extension Tag {
    /// Pure code, fixtures only.
    @Tag static var small: Self
    /// Real local components: SQLite files, HTTP on loopback, dnsmasq, installer validators.
    @Tag static var medium: Self
    /// Slow end to end: qemu netboots. Run when PROVISION_E2E=1 (scripts/test sets it).
    @Tag static var e2e: Self
}

enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static func path(_ relative: String) -> String { "\(root)/\(relative)" }
    /// The example two-rack site, as the tests' own fixture (a copy of `inventory/example.yml`).
    static var exampleInventory: String { path("inventories/example-site.yml") }
}

/// A fresh directory under the system temp dir, removed by the caller with `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "provision-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs a program and returns its exit status and combined output (stdin empty, as under cron).
@discardableResult
func run(_ program: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
    let result = try Subprocess.run(try which(program), arguments, environment: environment ?? [:])
    return (result.status, result.output)
}

/// A child process the test starts and stops (servers), with output to a file.
struct ChildProcess {
    let pid: pid_t

    init(_ program: String, _ arguments: [String], outputFile: String) throws {
        pid = try Subprocess.start(try which(program), arguments, logFile: outputFile)
    }

    /// SIGTERM, then waits for it to exit.
    func stop() {
        kill(pid, SIGTERM)
        _ = Subprocess.wait(pid)
    }
}

/// Finds a tool on PATH or in the tools venv; a missing one fails the test with the fix.
/// The venv of PyPI tools that scripts/setup makes.
let toolsDirectory = ProcessInfo.processInfo.environment["PROVISION_TOOLS"] ?? (NSHomeDirectory() + "/.cache/provision/tools")

func which(_ program: String) throws -> String {
    if program.hasPrefix("/") { return program }
    let tools = toolsDirectory
    if let path = try? Subprocess.which(program) { return path }
    if FileManager.default.isExecutableFile(atPath: "\(tools)/bin/\(program)") { return "\(tools)/bin/\(program)" }
    throw MissingTool(name: program)
}

struct MissingTool: Error, CustomStringConvertible {
    var name: String
    var description: String { "\(name) is not installed: run scripts/setup" }
}

func loadExample() throws -> Inventory {
    try InventoryLoader.load(path: Fixtures.exampleInventory)
}

/// Something a test needs could not be set up (a namespace, an emulator, a request): says what.
struct SetupFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A network namespace a test makes (and removes with `remove()`), with sh run inside it.
struct TestNamespace {
    let name: String

    init(_ prefix: String) throws {
        name = "\(prefix)\(getpid() % 100_000)"
        let added = try run("ip", ["netns", "add", name])
        guard added.status == 0 else { throw SetupFailure(message: "ip netns add \(name): \(added.output)") }
    }

    func remove() { _ = try? run("ip", ["netns", "del", name]) }

    /// Runs `script` by sh in the namespace with `input` on its stdin; a non-zero exit is a
    /// recorded issue. Returns stdout and stderr together.
    @discardableResult
    func sh(_ script: String, input: String = "", sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> String {
        let result = try run("ip", ["netns", "exec", name, "sh", "-c", "printf '%s' \"$INPUT\" | sh -c \"$SCRIPT\""],
                             environment: ["INPUT": input, "SCRIPT": script])
        #expect(result.status == 0, "\(script): \(result.output)", sourceLocation: sourceLocation)
        return result.output
    }
}

/// HTTP for tests, through curl on a thread of its own: FoundationNetworking's URLSession hung
/// for minutes under CI's load, and a blocking call on the cooperative pool would starve an
/// in-process server's own handlers (two cores: two pool threads).
enum CurlHTTP {

    static func get(_ url: String) async throws -> (status: Int, body: String) {
        try await request([url])
    }

    /// POSTs `body`, already URL-encoded, as a form.
    static func post(_ url: String, form body: String) async throws -> (status: Int, body: String) {
        try await request(["-X", "POST", "-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", body, url])
    }

    private static func request(_ arguments: [String]) async throws -> (status: Int, body: String) {
        let result = try await DedicatedThread.run { () throws -> (status: Int32, output: String) in
            try run("curl", ["-sS", "--max-time", "30", "-w", "\n%{http_code}"] + arguments)
        }
        guard result.status == 0, let split = result.output.lastIndex(of: "\n"), let status = Int(result.output[split...].dropFirst()) else {
            throw SetupFailure(message: "\(arguments.last ?? ""): \(result.output)")
        }
        return (status, String(result.output[..<split]))
    }
}

extension Resource {
    /// Its probed state as read back from what a shell running its probe script printed;
    /// "" where the state is unknown (which no compare takes for in sync).
    func probed(by sh: (String) throws -> String) rethrows -> String {
        let script = ProbeScript(for: [self])
        return script.read(try sh(script.text)).states[0] ?? ""
    }
}
