import Foundation
import Testing
@testable import Provision

/// What the `provision` binary says and does with wrong or hostile input: every such run ends
/// with exit 64 before anything is touched or any host contacted, and says what to fix.
@Suite("provision command line: bad input", .tags(.medium))
struct CommandLineInputTests {
    typealias Workspace = CommandLineTests.Workspace
    static let loopback = Fixtures.path("inventories/loopback.yml")

    @Test("an alias bomb ends at once under a 2 GB memory limit: exit 64 and where")
    func aliasBombBounded() async throws {
        let workspace = try Workspace()
        defer { workspace.directory.remove() }
        let bomb = Fixtures.path("hostile/billion-laughs.yml")
        let result = try run("/bin/sh", ["-c", "ulimit -v 2000000 && exec \"$0\" validate --inventory \"$1\" --state \"$2\"",
                                         CommandLineTests.binary, bomb, workspace.state])
        #expect(result.status == 64, "\(result.output)")
        #expect(result.output.contains("billion-laughs.yml:11:"), "\(result.output)")
        #expect(result.output.contains("aliases of aliases multiply"))
    }

    @Test("--limit '' and --limit ',' select nothing: exit 64, as a pattern that matches nothing")
    func emptyLimit() async throws {
        let workspace = try Workspace()
        defer { workspace.directory.remove() }
        for command in ["plan", "check", "apply"] {
            for limit in ["", ","] {
                let result = try await workspace.provision([command, "--limit", limit], inventory: Self.loopback)
                #expect(result.status == 64, "\(command) --limit '\(limit)': \(result.output)")
                #expect(result.output.contains("--limit '\(limit)' names no host or group; leave --limit out to select every host"), "\(result.output)")
                #expect(!result.output.contains("node-1"), "no host was contacted")
            }
        }
    }

    @Test("--batch -1 and friends are refused for what they are, not as a missing value")
    func negativeNumbers() async throws {
        let workspace = try Workspace()
        defer { workspace.directory.remove() }
        let cases = [
            (["--batch", "-1"], "The value '-1' is invalid for '--batch <N|N%>'"),
            (["--batch", "0%"], "--batch must be a positive N or N%"),
            (["--max-fail", "-5%"], "The value '-5%' is invalid for '--max-fail <N|N%>'"),
            (["--concurrency", "-2"], "--concurrency must be at least 1"),
            (["--shard", "-1/2"], "The value '-1/2' is invalid for '--shard <i/n>'"),
        ]
        for (arguments, message) in cases {
            let result = try await workspace.provision(["plan"] + arguments, inventory: Self.loopback)
            #expect(result.status == 64, "\(arguments): \(result.output)")
            #expect(result.output.contains(message), "\(arguments): \(result.output)")
            #expect(!result.output.contains("Missing value"))
        }
    }

    @Test("a --report whose directory does not exist is refused before the first host")
    func reportPathCheckedFirst() async throws {
        let workspace = try Workspace()
        defer { workspace.directory.remove() }
        let report = "\(workspace.directory.path)/no-such-dir/run.xml"
        let result = try await workspace.provision(["check", "--report", "junit=\(report)"], inventory: Self.loopback)
        #expect(result.status == 64, "\(result.output)")
        #expect(result.output.contains("--report junit=\(report): cannot be written, its directory \(workspace.directory.path)/no-such-dir does not exist"), "\(result.output)")
        #expect(!result.output.contains("unreachable"), "no host was contacted: \(result.output)")
        #expect(!FileManager.default.fileExists(atPath: workspace.state), "no run was recorded")
        let directory = try await workspace.provision(["check", "--report", "json=\(workspace.directory.path)"], inventory: Self.loopback)
        #expect(directory.status == 64)
        #expect(directory.output.contains("cannot be written, \(workspace.directory.path) is a directory"), "\(directory.output)")
    }

    @Test("validate checks what each host's roles need, where the role is listed, without reading secrets")
    func validateRoleVars() async throws {
        let workspace = try Workspace()
        defer { workspace.directory.remove() }
        let path = Fixtures.path("inventories/hypervisors-without-vars.yml")
        let result = try await workspace.provision(["validate"], inventory: path)
        #expect(result.status == 64, "\(result.output)")
        #expect(result.output.contains("""
            hypervisors-without-vars.yml:15:31: error: hosts 'node-1', 'node-2', role 'hypervisor': needs var 'nova_transport_url' \
            (the message queue URL, e.g. {secret_env: NOVA_TRANSPORT_URL})
            """), "\(result.output)")
        #expect(result.output.contains("""
            hypervisors-without-vars.yml:28:13: error: host 'node-3', role 'hypervisor': needs var 'nova_password' \
            (the nova service user's password, e.g. {secret_env: NOVA_PASSWORD})
            """), "\(result.output)")
        #expect(result.output.contains("2 errors"))
        // plan finds the same, and reads secrets: node-3's is not set.
        let plan = try await workspace.provision(["plan", "--limit", "node-1"], inventory: path)
        #expect(plan.status == 64)
        #expect(plan.output.contains("host 'node-1', role 'hypervisor': needs var 'nova_transport_url'"), "\(plan.output)")
        // The example site names its secrets but the test has none of them: it validates.
        let example = try await workspace.provision(["validate"])
        #expect(example.status == 0, "\(example.output)")
    }

    @Test("netboot render --check creates nothing: no state file, no state directory, no tree")
    func renderCheckWritesNothing() async throws {
        let workspace = try Workspace()
        defer { workspace.directory.remove() }
        let state = "\(workspace.directory.path)/state/provision.sqlite"
        let result = await InProcessCommand.run(["netboot", "render", "--check", "--inventory", Self.loopback, "--state", state, "--tree", workspace.tree])
        #expect(result.status == 2, "everything would change: \(result.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: workspace.directory.path) == [], "\(result.output)")
        // With a state file (armed hosts are read from it), still nothing new.
        #expect(await InProcessCommand.run(["netboot", "render", "--inventory", Self.loopback, "--state", state, "--tree", workspace.tree]).status == 0)
        let before = try FileManager.default.contentsOfDirectory(atPath: "\(workspace.directory.path)/state")
        #expect(await InProcessCommand.run(["netboot", "render", "--check", "--inventory", Self.loopback, "--state", state, "--tree", workspace.tree]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(workspace.directory.path)/state") == before)
    }

    @Test("a merge key and an empty file: one plain error each, exit 64")
    func readingErrors() async throws {
        let workspace = try Workspace()
        defer { workspace.directory.remove() }
        let merge = try await workspace.provision(["validate"], inventory: Fixtures.path("bad/merge-key.yml"))
        #expect(merge.status == 64)
        #expect(merge.output.contains("merge-key.yml:16:5: error: YAML merge keys ('<<') are not supported"), "\(merge.output)")
        #expect(!merge.output.contains("did you mean"))
        let empty = "\(workspace.directory.path)/empty.yml"
        FileManager.default.createFile(atPath: empty, contents: nil)
        let emptied = try await workspace.provision(["validate"], inventory: empty)
        #expect(emptied.status == 64)
        #expect(emptied.output.contains("empty.yml:1:1: error: inventory file '\(empty)' is empty"), "\(emptied.output)")
    }
}
