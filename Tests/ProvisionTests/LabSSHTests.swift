import Foundation
import Testing
@testable import Provision
@testable import ProvisionLab
import ProvisionSSH

extension Tag {
    /// Against real lab nodes (systemd-nspawn, sshd): needs root.
    @Tag static var lab: Self
}

/// A lab in a temporary directory, stopped and removed by `stop()`.
final class RunningLab {
    let directory: TemporaryDirectory
    let lab: Lab
    let nodes: [Lab.Node]
    let light: Bool

    /// Nodes numbered from `first` (default: `PROVISION_LAB_FIRST` or 1), so a second checkout
    /// can run its lab tests beside this one on other addresses.
    init(count: Int, light: Bool = false, first: Int = Int(ProcessInfo.processInfo.environment["PROVISION_LAB_FIRST"] ?? "") ?? 1) throws {
        directory = try TemporaryDirectory()
        lab = Lab(directory: "\(directory.path)/lab")
        self.light = light
        nodes = try lab.up(count: count, first: first, light: light) { _ in }
    }

    func options(_ node: Lab.Node, knownHosts: String? = nil, accept: Bool = false) -> SSHConnection.Options {
        .init(host: node.address, identities: [.keyFile(lab.keyFile)], knownHosts: knownHosts ?? lab.knownHosts, connectTimeout: .seconds(5), acceptNewHostKey: accept)
    }

    /// The pid of a node's systemd-nspawn, as `lab up` recorded it.
    func nspawnPid(_ node: Lab.Node) throws -> pid_t {
        let text = try String(contentsOfFile: "\(lab.directory)/nodes/\(node.name)/pid", encoding: .utf8)
        return try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// Powers a node off (nspawn passes SIGTERM on as a shutdown request) and waits until its
    /// sshd no longer answers.
    func powerOff(_ node: Lab.Node) throws {
        kill(try nspawnPid(node), SIGTERM)
        for _ in 0..<150 where Lab.answers(node.address, port: 22) { usleep(100_000) }
        #expect(!Lab.answers(node.address, port: 22), "\(node.name) still answers after power-off")
    }

    var inventoryPath: String { "\(directory.path)/lab.yml" }
    var statePath: String { "\(directory.path)/state.sqlite" }

    /// Writes the lab's inventory (changed by `edit`) where `provision` runs read it.
    func writeInventory(_ edit: (String) -> String = { $0 }) throws {
        try edit(lab.inventory(nodes, light: light)).write(toFile: inventoryPath, atomically: true, encoding: .utf8)
    }

    /// Runs the provision binary on the written inventory, with a state file of the lab's own.
    func provision(_ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        try run(CommandLineTests.binary, arguments + ["--inventory", inventoryPath, "--state", statePath], environment: environment)
    }

    func stop() {
        try? lab.down { _ in }
        directory.remove()
    }
}

/// SSH over libssh2 against real Debian lab nodes, and the lab's own lifecycle.
@Suite("Lab and SSH", .tags(.lab), .serialized, .enabled(if: getuid() == 0, "the lab needs root"))
struct LabSSHTests {
    @Test("lab up boots nodes whose sshd answers; facts come back in one exec with strict host keys")
    func factsInOneExec() throws {
        let lab = try RunningLab(count: 2)
        defer { lab.stop() }
        #expect(lab.lab.status().allSatisfy { $0.running && $0.sshAnswers })
        for node in lab.nodes {
            let connection = try SSHConnection(lab.options(node))
            let facts = try HostFacts.parse(try connection.execute(HostFacts.probe).stdout)
            #expect(facts.values["os_id"] == "debian")
            #expect(facts.values["os_version"] == "12")
            #expect(facts.values["hostname"] == node.name)
            #expect(facts.values["virtualization"] == "systemd-nspawn")
            #expect(connection.execCount == 1)
        }
        // stdout, stderr, exit status and stdin are kept apart.
        let connection = try SSHConnection(lab.options(lab.nodes[0]))
        let result = try connection.execute("cat; echo to-stderr >&2; exit 3", input: "to-stdin\n")
        #expect(result.stdout == "to-stdin\n")
        #expect(result.stderr == "to-stderr\n")
        #expect(result.status == 3)
    }

    @Test("host keys: unknown refused, accepted only on request (and recorded), changed refused loudly, hashed entries work")
    func hostKeys() throws {
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        let node = lab.nodes[0]
        let empty = "\(lab.directory.path)/empty_known_hosts"

        let unknown = #expect(throws: ConnectionError.self) { try SSHConnection(lab.options(node, knownHosts: empty)) }
        #expect(unknown?.kind == .hostKeyUnknown)
        #expect(unknown?.message.contains("--accept-new-host-keys") == true)
        #expect(!FileManager.default.fileExists(atPath: empty), "nothing is recorded without the flag")

        _ = try SSHConnection(lab.options(node, knownHosts: empty, accept: true))
        let recorded = try String(contentsOfFile: empty, encoding: .utf8)
        #expect(recorded.hasPrefix("\(node.address) "))
        _ = try SSHConnection(lab.options(node, knownHosts: empty))  // now known

        // The same name with another key: a changed key is never accepted, not even with the flag.
        let changed = "\(lab.directory.path)/changed_known_hosts"
        let otherKey = "\(lab.directory.path)/other"
        try #require(try run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", otherKey]).status == 0)
        let otherPublic = try String(contentsOfFile: otherKey + ".pub", encoding: .utf8).split(separator: " ")
        try "\(node.address) \(otherPublic[0]) \(otherPublic[1])\n".write(toFile: changed, atomically: true, encoding: .utf8)
        let mismatch = #expect(throws: ConnectionError.self) { try SSHConnection(lab.options(node, knownHosts: changed, accept: true)) }
        #expect(mismatch?.kind == .hostKeyChanged)
        #expect(mismatch?.message.contains("HOST KEY CHANGED") == true)

        // Hashed known_hosts (ssh-keygen -H), holding only the ed25519 key while the node also
        // offers ECDSA: the type preference must follow the file or verification fails.
        let hashed = "\(lab.directory.path)/hashed_known_hosts"
        try FileManager.default.copyItem(atPath: lab.lab.knownHosts, toPath: hashed)
        try #require(try run("ssh-keygen", ["-H", "-f", hashed]).status == 0)
        #expect(try String(contentsOfFile: hashed, encoding: .utf8).hasPrefix("|1|"))
        #expect(KnownHosts(path: hashed).keyTypes(host: node.address, port: 22) == ["ssh-ed25519"])
        let connection = try SSHConnection(lab.options(node, knownHosts: hashed))
        #expect(try connection.execute("true").status == 0)
    }

    @Test("a stopped node is unreachable: provision facts exits 4 with the reason; lab down leaves nothing mounted")
    func stoppedNodeAndDown() throws {
        let lab = try RunningLab(count: 2)
        defer { lab.stop() }
        try lab.writeInventory()
        let up = try lab.provision(["facts", "lab-2"])
        #expect(up.status == 0, "\(up.output)")
        #expect(up.output.contains("hostname            lab-2"))

        try lab.powerOff(lab.nodes[1])
        let down = try lab.provision(["facts", "lab-2"])
        #expect(down.status == 4)
        #expect(down.output.contains("lab-2: 127.0.0.12:22: cannot connect"))

        // A node whose nspawn is killed outright leaves its processes behind; lab up over such
        // leftovers recovers, and lab down then unmounts everything.
        kill(try lab.nspawnPid(lab.nodes[0]), SIGKILL)
        _ = try lab.lab.up(count: 2) { _ in }
        #expect(lab.lab.status().allSatisfy { $0.running && $0.sshAnswers })
        try lab.lab.down { _ in }
        let mounts = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
        #expect(!mounts.contains(lab.lab.directory))
        #expect(lab.lab.nodes().isEmpty)
    }
}
