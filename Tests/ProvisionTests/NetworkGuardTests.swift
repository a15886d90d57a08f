import Foundation
import Playbooks
import Testing
@testable import Provision

/// The rollback guard of a network change, in a network namespace the test makes: the
/// resource's own fix and confirmation, run by sh there, changing a dummy interface's address.
/// The guard's marker and saved file go to a temporary directory, never the machine's /run.
@Suite("Network change rollback guard in a network namespace", .tags(.medium), .serialized,
       .enabled(if: getuid() == 0, "network namespaces need root"))
struct NetworkGuardTests {
    @Test("an unconfirmed change is undone by the host after its window; a confirmed one stays")
    func rollbackUnlessConfirmed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let namespace = try TestNamespace("provguard")
        defer { namespace.remove() }
        let configuration = "\(directory.path)/cloud-address"
        let apply = "ip addr flush dev d0 && ip addr add $(cat \(configuration)) dev d0"
        func sh(_ script: String, input: String = "") throws -> String { try namespace.sh(script, input: input) }
        func address() throws -> String {
            try sh("ip -4 -o addr show dev d0 | awk '{print $4}'").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try sh("ip link add d0 type veth peer name d1 && ip link set d0 up")
        try "10.9.0.1/24\n".write(toFile: configuration, atomically: true, encoding: .utf8)
        _ = try sh(apply)
        #expect(try address() == "10.9.0.1/24")

        let change = GuardedFileResource(FileResource(configuration, content: "10.9.0.2/24\n"), apply: apply, seconds: 2,
                                         runDirectory: "\(directory.path)/run", stateDirectory: "\(directory.path)/state")
        try FileManager.default.createDirectory(atPath: "\(directory.path)/run", withIntermediateDirectories: true)

        // Not confirmed: the host puts the old file back and applies it.
        _ = try sh("set -e\n" + change.fix, input: change.fixInput!)
        #expect(try address() == "10.9.0.2/24", "the change took effect")
        usleep(3_500_000)
        #expect(try address() == "10.9.0.1/24", "the host undid the unconfirmed change")
        #expect(try String(contentsOfFile: configuration, encoding: .utf8) == "10.9.0.1/24\n")
        #expect(try run("sh", ["-c", change.confirmation!]).status != 0, "confirming too late fails")

        // Confirmed within the window: it stays, and the saved copy goes.
        _ = try sh("set -e\n" + change.fix, input: change.fixInput!)
        _ = try sh(change.confirmation!)
        usleep(3_500_000)
        #expect(try address() == "10.9.0.2/24")
        #expect(try String(contentsOfFile: configuration, encoding: .utf8) == "10.9.0.2/24\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(directory.path)/state").isEmpty)
    }
}
