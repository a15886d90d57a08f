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
    static var exampleInventory: String { "\(repository)/inventory/example.yml" }
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

/// Runs a program and returns its exit status and combined output. Uses posix_spawn and
/// waitpid: Foundation's Process.waitUntilExit can hang off the main thread while another
/// child (a server started by the test) is alive.
@discardableResult
func run(_ program: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { throw FileError.system("pipe", errno) }
    let pid = try ChildProcess.spawn(program, arguments, environment: environment, output: fds[1])
    close(fds[1])
    var output = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(fds[0], &buffer, buffer.count)
        if n > 0 { output += buffer[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }
    }
    close(fds[0])
    return (ChildProcess.wait(pid), String(decoding: output, as: UTF8.self))
}

/// A child process the test starts and stops (servers), with output to a file.
struct ChildProcess {
    let pid: pid_t

    init(_ program: String, _ arguments: [String], outputFile: String) throws {
        let fd = open(outputFile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError.system("cannot open \(outputFile)", errno) }
        defer { close(fd) }
        pid = try Self.spawn(program, arguments, environment: nil, output: fd)
    }

    /// SIGTERM, then waits for it to exit.
    func stop() {
        kill(pid, SIGTERM)
        _ = Self.wait(pid)
    }

    static func spawn(_ program: String, _ arguments: [String], environment: [String: String]?, output: Int32) throws -> pid_t {
        let path = program.hasPrefix("/") ? program : try which(program)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        let env = ProcessInfo.processInfo.environment.merging(environment ?? [:]) { $1 }.map { "\($0)=\($1)" }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        // The spawning thread may block signals (Swift's worker threads do); a child inherits
        // that mask and would then ignore SIGTERM. Start it with none blocked and default handlers.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else { throw FileError.system("cannot start \(path)", result) }
        return pid
    }

    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS, spelled out (they are C macros).
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}

/// Finds a tool on PATH; a missing one fails the test with the fix (the tools come from scripts/setup).
func which(_ program: String) throws -> String {
    let tools = ProcessInfo.processInfo.environment["PROVISION_TOOLS"] ?? (NSHomeDirectory() + "/.cache/provision/tools")
    let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin:\(tools)/bin"
    for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(program)") {
        return "\(directory)/\(program)"
    }
    throw MissingTool(name: program)
}

struct MissingTool: Error, CustomStringConvertible {
    var name: String
    var description: String { "\(name) is not installed: run scripts/setup" }
}

func loadExample() throws -> Inventory {
    try InventoryLoader.load(path: Fixtures.exampleInventory)
}
