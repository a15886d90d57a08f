import Foundation
import Playbooks
import Synchronization
import Testing
@testable import Provision
import ProvisionLab
import ProvisionSSH

/// A root directory for one test: an overlay on the lab's debootstrap root (read-only below,
/// this test's changes above), so every test starts from the same real Debian and none
/// debootstraps again. `remove()` ends what still runs in it, unmounts and deletes it.
final class OverlayRoot {
    let directory: TemporaryDirectory
    var path: String { "\(directory.path)/root" }

    init() throws {
        let lower = Lab.defaultRootfs
        if !FileManager.default.isExecutableFile(atPath: "\(lower)/bin/sh") {
            // A fresh machine: the lab builds its root at its first `up` (debootstrap, once).
            try RunningLab(count: 1, light: true).stop()
        }
        directory = try TemporaryDirectory()
        for name in ["upper", "work", "root"] {
            try FileManager.default.createDirectory(atPath: "\(directory.path)/\(name)", withIntermediateDirectories: true)
        }
        let mounted = try run("mount", ["-t", "overlay", "overlay", "-o",
                                        "lowerdir=\(lower),upperdir=\(directory.path)/upper,workdir=\(directory.path)/work", path])
        try #require(mounted.status == 0, "\(mounted.output)")
    }

    /// The processes running inside this root (their root directory is it), once those just
    /// killed are gone.
    func processes() -> [pid_t] {
        func running() -> [pid_t] {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            return entries.compactMap(pid_t.init).filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\($0)/root")) == path }
        }
        for _ in 0..<50 where !running().isEmpty { usleep(100_000) }
        return running()
    }

    func read(_ file: String) -> String? { try? String(contentsOfFile: path + file, encoding: .utf8) }

    func remove() {
        for pid in processes() { kill(pid, SIGKILL) }
        _ = processes()  // until they are gone: a process in it keeps the mount busy
        _ = try? run("umount", [path])
        directory.remove()
    }
}

/// The engine's branches over the chroot connector, on real Debian roots in this machine (an
/// overlay each on the lab's debootstrap root): the same scripts as over SSH, through
/// `chroot DIR /bin/sh`, with no node to boot. The lab versions of these tests are in
/// EngineLabTests, LockLabTests and FaultLabTests. Nested in the lab's serialized suite: on a
/// fresh machine the first of them or of the lab's tests builds the root, never two at once.
extension LabSSHTests {
    @Suite("Engine over the chroot connector", .tags(.medium), .enabled(if: getuid() == 0, "chroot and overlay mounts need root"))
    struct ChrootEngineTests {
        /// An inventory of one host per root, each reached through `connector: {chroot: ROOT}`.
        static func inventory(_ roots: [OverlayRoot], site: String = "", roles: [String] = []) -> String {
            var text = """
                site: {install_server: "http://127.0.0.1:8080"\(site)}
                defaults:
                  roles: [\(roles.joined(separator: ", "))]
                  domain: images.example.net
                  firmware: uefi
                  root_password_hash: "$6$provisionexample$vCnTTCSwt3plQ4.OMybupCCkWj15nOYaKO41LMwuI2f4UTqckMhRWmDzPy7hJ4NL.q0ZwW/nbRAPfEpgrj768."
                  os: {family: debian, release: "12", mirror: http://deb.debian.org/debian}
                  disk: {devices: [/dev/vda]}
                hosts:

                """
            for (index, root) in roots.enumerated() {
                text += """
                      image-\(index + 1):
                        nics: [{name: eth0, mac: "52:54:00:00:01:\(String(format: "%02x", index + 1))"}]
                        network: {address: 10.0.9.\(index + 11), prefix: 24}
                        connector: {chroot: \(root.path)}

                    """
            }
            return text
        }

        static func targets(_ roots: [OverlayRoot], _ playbook: HostPlaybook) throws -> [Engine.Target] {
            let inventory = try InventoryLoader.load(files: [("images.yml", inventory(roots))])
            return inventory.hosts.map { Engine.Target(host: $0, playbook: playbook) }
        }

        @Test("provision check, plan and apply converge a host whose inventory says connector: {chroot: DIR}; facts reads it")
        func commandLine() throws {
            let root = try OverlayRoot()
            defer { root.remove() }
            let directory = root.directory.path
            try "role: image\nresources:\n  - file: /etc/image-release\n    content: \"baked\\n\"\n"
                .write(toFile: "\(directory)/image.yml", atomically: true, encoding: .utf8)
            try Self.inventory([root], site: ", playbooks: [image.yml]", roles: ["image"])
                .write(toFile: "\(directory)/images.yml", atomically: true, encoding: .utf8)
            func provision(_ command: String) throws -> (status: Int32, output: String) {
                try run(CommandLineTests.binary, [command, "--inventory", "\(directory)/images.yml", "--state", "\(directory)/state.sqlite"])
            }
            let check = try provision("check")
            #expect(check.status == 2 && check.output.contains("image-1  file:/etc/image-release  drift"), "\(check.output)")
            #expect(try provision("plan").status == 2)
            let apply = try provision("apply")
            #expect(apply.status == 2, "\(apply.output)")
            #expect(root.read("/etc/image-release") == "baked\n")
            #expect(try provision("check").status == 0)
            let facts = try run(CommandLineTests.binary, ["facts", "image-1", "--inventory", "\(directory)/images.yml"])
            #expect(facts.status == 0 && facts.output.contains("os_id               debian"), "read through the same connector: \(facts.output)")
        }

        static let twoFiles = HostPlaybook(resources: [
            FileResource("/etc/provision-a", content: "a\n", notifies: ["count"]),
            FileResource("/etc/provision-b", content: "b\n", notifies: ["count"]),
        ], handlers: [Handler(name: "count", command: "echo ran >> /root/handler-runs")])

        @Test("apply converges a root directory; a handler notified twice runs once; a second apply changes nothing; a no-op check and a no-op apply are one exec each")
        func handlerOnce() throws {
            let root = try OverlayRoot()
            defer { root.remove() }
            let targets = try Self.targets([root], Self.twoFiles)
            let applied = Engine.run(targets, options: .init(mode: .apply, connectors: .standard))
            #expect(applied[0].changed.map(\.id) == ["file:/etc/provision-a", "file:/etc/provision-b"], "\(applied[0])")
            #expect(applied[0].handlersRun == ["count"])
            #expect(root.read("/etc/provision-b") == "b\n" && root.read("/root/handler-runs") == "ran\n")
            #expect(FileManager.default.fileExists(atPath: "/etc/provision-a") == false, "nothing was written outside the root")
            #expect(applied[0].execs == 6, "first look, lock, probe under it, two fixes, the handler")
            let again = Engine.run(targets, options: .init(mode: .apply, connectors: .standard))
            #expect(again[0].changed.isEmpty && again[0].handlersRun.isEmpty)
            #expect(again[0].execs == 1, "in sync at the first look: no lock channel, no second probe")
            #expect(root.read("/root/handler-runs") == "ran\n")
            let check = Engine.run(targets, options: .init(mode: .check, connectors: .standard))
            #expect(ExitStatus.of(check).code == 0 && check[0].execs == 1, "\(check[0])")
            #expect(root.read("/run/provision.lock.holder") == "", "apply cleared its lock record")

            // A run that died holding the lock left its record: even with nothing to change,
            // apply takes the lock to say so (its handlers may never have run) and clears it.
            try "ctl-9 pid 1: provision apply, since 2026-12-01T00:00:00Z\n".write(toFile: root.path + "/run/provision.lock.holder", atomically: false, encoding: .utf8)
            let afterCrash = Engine.run(targets, options: .init(mode: .apply, connectors: .standard))
            #expect(afterCrash[0].warnings == ["a previous run ended without releasing this host's lock (ctl-9 pid 1: provision apply, since 2026-12-01T00:00:00Z): its changes may be incomplete"],
                    "\(afterCrash[0])")
            #expect(afterCrash[0].changed.isEmpty && afterCrash[0].execs == 3, "first look, lock, probe under it: \(afterCrash[0])")
            #expect(root.read("/run/provision.lock.holder") == "")
        }

        @Test("while another run holds a root's lock, apply and check report it locked by that run and change nothing; once released, apply goes ahead")
        func lockHeldElsewhere() throws {
            let root = try OverlayRoot()
            defer { root.remove() }
            let targets = try Self.targets([root], Self.twoFiles)
            // The other controller: an apply's lock, held through a connector of its own.
            let other = try ControllerConnector(root: root.path, options: ConnectOptions())
            let taken = try other.hold(HostLock.exclusive(holderText: "ctl-2 pid 777: provision apply"), ready: HostLock.heldMarker)
            let held = try #require(taken.held, "\(taken.lines)")

            let apply = Engine.run(targets, options: .init(mode: .apply, connectors: .standard))
            #expect(apply[0].locked == "ctl-2 pid 777: provision apply", "\(apply[0])")
            #expect(apply[0].resources.isEmpty && root.read("/etc/provision-a") == nil, "nothing was written on the locked root")
            #expect(ExitStatus.of(apply).code == 1)
            let check = Engine.run(targets, options: .init(mode: .check, connectors: .standard))
            #expect(check[0].locked == "ctl-2 pid 777: provision apply", "\(check[0])")

            held.release()
            #expect(root.read("/run/provision.lock.holder") == "", "the holder cleared its record on release")
            #expect(Engine.run(targets, options: .init(mode: .apply, connectors: .standard))[0].changed.count == 2)
        }

        @Test("a root that is not there is tried again with backoff, then unreachable; a refusal is not retried; a connection that fails once succeeds on the retry")
        func connectionRetries() throws {
            let root = try OverlayRoot()
            defer { root.remove() }
            let missing = try Self.targets([root], Self.twoFiles).map { target in
                var target = target
                target.host.connector = .chroot(root.path + "/no-such-image")
                return target
            }
            let unreachable = Engine.run(missing, options: .init(mode: .check, connectors: .standard, connectRetries: 2))
            let reason = try #require(unreachable[0].unreachable)
            #expect(reason.contains("no /bin/sh in \(root.path)/no-such-image") && reason.hasSuffix("(after 3 attempts)"), "\(reason)")

            // The transport fails as given (a refusal, a host that did not answer) before the real root is reached.
            let attempts = Attempts()
            func failingFirst(_ kind: ConnectionError.Kind) -> ConnectorFactory {
                ConnectorFactory { host, options throws(ConnectionError) -> any Connector in
                    if attempts.next() == 1 { throw ConnectionError(kind: kind, message: "first attempt: \(kind)") }
                    return try ConnectorFactory.standard.connect(host, options)
                }
            }
            let targets = try Self.targets([root], Self.twoFiles)
            let refused = Engine.run(targets, options: .init(mode: .check, connectors: failingFirst(.authentication), connectRetries: 2))
            #expect(refused[0].unreachable == "first attempt: authentication" && attempts.count == 1, "never retried after a refusal")
            attempts.reset()
            let retried = Engine.run(targets, options: .init(mode: .apply, connectors: failingFirst(.connect), connectRetries: 2))
            #expect(attempts.count == 2 && retried[0].changed.count == 2, "\(retried[0])")
        }

        @Test("a command that never ends is stopped in the root after the command limit, the rest skipped; a script that never ends is killed by the connector")
        func commandTimeout() throws {
            let root = try OverlayRoot()
            defer { root.remove() }
            let playbook = HostPlaybook(resources: [CommandResource("sleep 600", unless: "false"), FileResource("/etc/provision-after", content: "x\n")], handlers: [])
            let reports = Engine.run(try Self.targets([root], playbook), options: .init(mode: .apply, connectors: .standard, commandTimeout: .seconds(2)))
            #expect(reports[0].resources[0].state == .failed("did not finish within 2 s (stopped on the host)"), "\(reports[0].resources)")
            #expect(reports[0].resources[1].state == .skipped("create (2 bytes, mode 0644) (an earlier resource failed)"))
            #expect(root.processes().isEmpty, "the endless command was stopped in the root")

            let connector = try ControllerConnector(root: root.path, options: ConnectOptions(commandTimeout: .seconds(1)))
            // One whose output never ends, and one that closes its output and runs on.
            for script in ["sleep 600", "exec >&- 2>&-; sleep 600"] {
                let error = #expect(throws: ConnectionError.self) { try connector.executeAsRoot(script) }
                #expect(error?.kind == .timeout && error?.message.contains("did not end within 1 s") == true, "\(String(describing: error))")
                #expect(root.processes().isEmpty, "the script was killed with all it started")
            }
        }

        @Test("a guarded change is confirmed over a new connection; when none can be made, the root restores the previous file by itself")
        func guardedChangeConfirmed() throws {
            let root = try OverlayRoot()
            defer { root.remove() }
            func guarded(_ state: String) -> HostPlaybook {
                HostPlaybook(resources: [GuardedFileResource(FileResource("/etc/provision-link", content: "\(state)\n"), apply: "true", seconds: 2)], handlers: [])
            }
            let attempts = Attempts()
            let counting = ConnectorFactory { host, options throws(ConnectionError) -> any Connector in
                _ = attempts.next()
                return try ConnectorFactory.standard.connect(host, options)
            }
            let up = Engine.run(try Self.targets([root], guarded("up")), options: .init(mode: .apply, connectors: counting))
            #expect(up[0].changed.map(\.id) == ["guarded-file:/etc/provision-link"], "\(up[0].resources)")
            #expect(attempts.count == 2, "the first connection, then a new one for the confirmation")
            #expect(up[0].execs == 5, "first look, lock, probe under it and fix over the first; the confirmation over the new one")

            // The new connection cannot be made: the change stays unconfirmed and the root undoes it.
            attempts.reset()
            let cutOff = ConnectorFactory { host, options throws(ConnectionError) -> any Connector in
                if attempts.next() > 1 { throw ConnectionError(kind: .connect, message: "no answer") }
                return try ConnectorFactory.standard.connect(host, options)
            }
            let down = Engine.run(try Self.targets([root], guarded("down")), options: .init(mode: .apply, connectors: cutOff, connectRetries: 0))
            guard case .failed(let reason) = down[0].resources.first?.state else { Issue.record("\(down[0])"); return }
            #expect(reason.contains("could not be reached again after the change (no answer)") && reason.contains("within 2 s"), "\(reason)")
            var restored = false
            for _ in 0..<100 where !restored { usleep(100_000); restored = root.read("/etc/provision-link") == "up\n" }
            #expect(restored, "the root restored the previous file by itself")
        }

        @Test("interrupted mid-apply: the change in flight finishes, the next is skipped, handlers of what changed run, the lock is released; hosts not started stay untouched")
        func interruption() throws {
            let first = try OverlayRoot(), second = try OverlayRoot()
            defer { first.remove(); second.remove() }
            let interruption = Interruption()
            var options = Engine.Options(mode: .apply, connectors: .standard, concurrency: 1, interruption: interruption)
            // As SIGTERM would, while the first change runs.
            options.changing = { _, _ in interruption.interrupt(by: SIGTERM) }
            let reports = Engine.run(try Self.targets([first, second], Self.twoFiles), options: options)
            #expect(reports[0].changed.map(\.id) == ["file:/etc/provision-a"], "\(reports[0])")
            #expect(reports[0].resources[1].state == .skipped("create (2 bytes, mode 0644) (the run was interrupted before this change)"))
            #expect(reports[0].handlersRun == ["count"] && first.read("/root/handler-runs") == "ran\n")
            #expect(first.read("/run/provision.lock.holder") == "", "the lock was released")
            #expect(reports[1].notStarted == "not started: the run was interrupted" && second.read("/etc/provision-a") == nil)
        }
    }
}

/// Counts a factory's connection attempts (made on the engine's threads).
final class Attempts: Sendable {
    private let made = Mutex(0)

    var count: Int { made.withLock { $0 } }

    /// Counts one more; its number (1 for the first).
    func next() -> Int { made.withLock { $0 += 1; return $0 } }

    func reset() { made.withLock { $0 = 0 } }
}
