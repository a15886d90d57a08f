import Foundation
import Testing
@testable import Provision

/// The controller's own connector (`connector: local`): scripts run with /bin/sh, as root.
@Suite("Local connector", .tags(.medium))
struct ControllerConnectorTests {
    @Test("a script runs as root with its stdin, its stdout and stderr apart, its exit status, a login's environment; a megabyte each way does not stall",
          .enabled(if: getuid() == 0, "as-root scripts need root"))
    func runsScripts() throws {
        let local = try ControllerConnector(root: nil, options: ConnectOptions())
        let result = try local.executeAsRoot("id -u; cat; echo \"$HOME $USER\" >&2; exit 3", input: "from stdin\n")
        #expect(result.status == 3)
        #expect(result.stdout == "0\nfrom stdin\n")
        #expect(result.stderr == "/root root\n")
        // More than any pipe buffers, in and out at once: written and read together.
        let big = String(repeating: "0123456789abcdef\n", count: 65_536)
        #expect(try local.executeAsRoot("cat; head -c 1048576 /dev/zero >&2", input: big).stdout == big)
        #expect(try local.executeAsRoot("exit 0").stdout.isEmpty)
        #expect(local.execCount == 3)
    }

    @Test("a held script runs on until it is released (its stdin ends), and what it printed before the ready line comes back",
          .enabled(if: getuid() == 0, "as-root scripts need root"))
    func holdsAndReleases() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let done = "\(directory.path)/released"
        let local = try ControllerConnector(root: nil, options: ConnectOptions())
        let attempt = try local.hold("echo before; echo READY; cat > /dev/null; echo released > \(Shell.quote(done))", ready: "READY")
        #expect(attempt.lines == ["before"])
        let held = try #require(attempt.held)
        #expect(!FileManager.default.fileExists(atPath: done), "still running")
        held.release()
        #expect(try String(contentsOfFile: done, encoding: .utf8) == "released\n")
        // A script that ends without the ready line: what it printed, and its status.
        let ended = try local.hold("echo no lock here; echo refused >&2; exit 75", ready: "READY")
        #expect(ended.held == nil && ended.status == 75 && ended.lines == ["no lock here", "refused"])
    }

    @Test("a controller that does not run as root refuses, saying what to do")
    func refusesWithoutRoot() {
        let error = #expect(throws: ConnectionError.self) { try ControllerConnector(root: nil, options: ConnectOptions(), userID: 1000) }
        #expect(error?.kind == .authentication)
        #expect(error?.message == "local: scripts run as root, and provision runs as uid 1000 here: run it as root (sudo provision ...), or reach this host over SSH (connector: ssh)")
    }
}
