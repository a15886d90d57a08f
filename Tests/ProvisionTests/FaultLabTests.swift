import Foundation
import Playbooks
import Testing
@testable import Provision
@testable import ProvisionLab
import ProvisionSSH

/// Faults a fleet meets: each reported as what it is, the other hosts finishing, no file left
/// half-written, and an interrupted controller stopping cleanly.
extension LabSSHTests {
    @Test("faults: a hung sshd, a changed host key, a full disk, a command that never ends and a node dying mid-apply are each reported as such while the others finish")
    func faults() throws {
        let lab = try RunningLab(count: 6)
        defer { lab.stop() }
        let nodes = lab.nodes
        // lab-2: sshd stopped (SIGSTOP): TCP connects, the SSH handshake never answers.
        // Signalled from this machine by its own number, so that only this node's sshd stops and
        // resumes: every node's sshd (and this machine's) has the same command line.
        let inNode = try #require(pid_t(ssh(lab, nodes[1], "cat /run/sshd.pid").stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let sshd = try #require(lab.lab.machinePID(of: inNode, in: nodes[1]), "lab-2's sshd (pid \(inNode) in the node) not found")
        #expect(kill(sshd, SIGSTOP) == 0)
        defer { kill(sshd, SIGCONT) }
        // lab-3: its recorded host key is another node's.
        let known = try String(contentsOfFile: lab.lab.knownHosts, encoding: .utf8)
        let keys = Dictionary(uniqueKeysWithValues: known.split(separator: "\n").map { line in
            let fields = line.split(separator: " ")
            return (String(fields[0]), fields[1...].joined(separator: " "))
        })
        try known.replacingOccurrences(of: "\(nodes[2].address) \(keys[nodes[2].address]!)", with: "\(nodes[2].address) \(keys[nodes[0].address]!)")
            .write(toFile: lab.lab.knownHosts, atomically: true, encoding: .utf8)
        // lab-4: a 64 KiB filesystem for a 200 KB file.
        _ = try ssh(lab, nodes[3], "mkdir -p /mnt/small && mount -t tmpfs -o size=64k tmpfs /mnt/small")

        let everyone = HostPlaybook(resources: [FileResource("/etc/provision-fault", content: "converged\n")], handlers: [])
        let playbooks: [HostPlaybook] = [
            everyone, everyone, everyone,
            HostPlaybook(resources: [FileResource("/mnt/small/big", content: String(repeating: "x", count: 200_000)),
                                     FileResource("/etc/provision-after", content: "x\n")], handlers: []),
            HostPlaybook(resources: [CommandResource("sleep 600", unless: "false"), FileResource("/etc/provision-after", content: "x\n")], handlers: []),
            HostPlaybook(resources: [CommandResource("sleep 4; touch /root/slow", creates: "/root/slow"),
                                     FileResource("/etc/provision-after", content: "x\n")], handlers: []),
        ]
        let targets = try targets(lab, everyone).enumerated().map { Engine.Target(host: $1.host, playbook: playbooks[$0]) }
        // lab-6 dies while its first command runs (its nspawn passes SIGTERM on as a power-off).
        let dying = try lab.nspawnPid(nodes[5])
        let killer = Thread { usleep(2_000_000); kill(dying, SIGTERM) }
        killer.start()
        let reports = Engine.run(targets, options: .init(mode: .apply, connectors: .standard, connectTimeout: .seconds(2), connectRetries: 1, commandTimeout: .seconds(3)))

        #expect(reports[0].changed.map(\.id) == ["file:/etc/provision-fault"])
        #expect(reports[1].unreachable?.contains("timed out") == true && reports[1].unreachable?.contains("after 2 attempts") == true,
                "hung sshd: \(String(describing: reports[1].unreachable))")
        #expect(reports[2].unreachable?.contains("HOST KEY CHANGED") == true, "\(String(describing: reports[2].unreachable))")
        #expect(reports[2].execs == 0, "nothing ran on a host whose key changed")
        guard case .failed(let full) = reports[3].resources[0].state else { Issue.record("full disk: \(reports[3].resources)"); return }
        #expect(full.contains("No space left on device"), "\(full)")
        #expect(reports[3].resources[1].state == .skipped("create (2 bytes, mode 0644) (an earlier resource failed)"))
        #expect(try ssh(lab, nodes[3], "ls -A /mnt/small").stdout.isEmpty, "no temporary file is left on the full disk")
        #expect(reports[4].resources[0].state == .failed("did not finish within 3 s (stopped on the host)"), "\(reports[4].resources)")
        #expect(try ssh(lab, nodes[4], "pgrep -x sleep || echo none").stdout == "none\n", "the endless command was stopped on the host")
        guard case .failed(let lost) = reports[5].resources[0].state else { Issue.record("dying node: \(reports[5])"); return }
        // Lost with the node, not stopped by the command limit (which would also be a failure).
        #expect(!lost.isEmpty && !lost.contains("did not finish within"), "\(lost)")
        #expect(reports[5].resources[1].state == .skipped("create (2 bytes, mode 0644) (an earlier resource failed)"))
        #expect(ExitStatus.of(reports).code == 4 | 2 | 1)
    }

    @Test("SIGTERM to apply: the command in flight finishes, nothing new starts, the locks are released and the run is recorded as interrupted (exit 143)")
    func interruptedApply() throws {
        let lab = try RunningLab(count: 3)
        defer { lab.stop() }
        try """
            role: slow
            resources:
              - command: sleep 3; touch /root/slow-done
                creates: /root/slow-done
              - file: /etc/provision-after-slow
                content: "after\\n"
            """.write(toFile: "\(lab.directory.path)/slow.yml", atomically: true, encoding: .utf8)
        try lab.writeInventory {
            $0.replacingOccurrences(of: "site:\n", with: "site:\n  playbooks: [slow.yml]\n").replacingOccurrences(of: "roles: [base]", with: "roles: [slow]")
        }
        let log = "\(lab.directory.path)/apply.log"
        let apply = try ChildProcess(CommandLineTests.binary, ["apply", "--concurrency", "1", "--no-quiet", "--inventory", lab.inventoryPath,
                                                               "--state", lab.statePath], outputFile: log)
        usleep(1_500_000)  // lab-1 is in its sleep
        kill(apply.pid, SIGTERM)
        let status = Subprocess.wait(apply.pid)
        let output = try String(contentsOfFile: log, encoding: .utf8)
        #expect(status == 143, "\(output)")
        #expect(output.contains("terminated: starting nothing new"))
        #expect(output.contains("lab-1  command:sleep 3; touch /root/slow-done  changed"), "the command in flight finished: \(output)")
        #expect(output.contains("lab-1  file:/etc/provision-after-slow  skipped: create (6 bytes, mode 0644) (the run was interrupted before this change)"),
                "\(output)")
        #expect(output.contains("lab-2  not started: the run was interrupted") && output.contains("lab-3  not started: the run was interrupted"))
        #expect(try ssh(lab, lab.nodes[0], "cat /run/provision.lock.holder").stdout.isEmpty, "the host lock was released")
        #expect(try String(contentsOfFile: ControllerLock.path(state: lab.statePath, inventory: lab.inventoryPath), encoding: .utf8).isEmpty,
                "the controller lock was released")
        #expect(try lab.provision(["history"]).output.contains("143 (interrupted)"))
        // The next apply finishes the job.
        #expect(try lab.provision(["apply"]).status == 2)
        #expect(try lab.provision(["check"]).status == 0)
    }
}

extension LabSSHTests {
    @Test("a guarded change that cuts the host off (sshd stopped) is reported, and the host undoes it by itself; a harmless one is confirmed over a fresh connection")
    func guardedChange() throws {
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        // "down" in the file stops sshd: the change cuts the controller off, as a bad bridge would.
        let apply = "if grep -q down /etc/provision-link; then systemctl stop ssh; else systemctl start ssh; fi"
        func guarded(_ state: String) -> HostPlaybook {
            HostPlaybook(resources: [GuardedFileResource(FileResource("/etc/provision-link", content: "\(state)\n"), apply: apply, seconds: 5)], handlers: [])
        }
        let up = Engine.run(try targets(lab, guarded("up")), options: .init(mode: .apply, connectors: .standard, connectTimeout: .seconds(3), connectRetries: 0))
        #expect(up[0].changed.map(\.id) == ["guarded-file:/etc/provision-link"], "confirmed over a fresh connection: \(up[0].resources)")

        let down = Engine.run(try targets(lab, guarded("down")), options: .init(mode: .apply, connectors: .standard, connectTimeout: .seconds(3), connectRetries: 0))
        guard case .failed(let reason) = down[0].resources.first?.state else { Issue.record("\(down[0])"); return }
        #expect(reason.contains("restores its previous configuration by itself within 5 s"), "\(reason)")
        // Within the window the host restores "up" and starts sshd again.
        var back = false
        for _ in 0..<100 where !back { usleep(200_000); back = Lab.answers(lab.nodes[0].address, port: 22) }
        #expect(back, "the host came back by itself")
        #expect(try ssh(lab, lab.nodes[0], "cat /etc/provision-link").stdout == "up\n")
        #expect(ExitStatus.of(Engine.run(try targets(lab, guarded("up")), options: .init(mode: .check, connectors: .standard))).code == 0)
    }
}
