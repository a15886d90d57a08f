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

/// Runs a program and returns its exit status and combined output.
@discardableResult
func run(_ program: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program.hasPrefix("/") ? program : try which(program))
    process.arguments = arguments
    if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    process.standardInput = FileHandle.nullDevice  // as under cron or CI: no terminal to ask
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
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
