import Foundation
import Playbooks
import Testing
@testable import Provision
@testable import ProvisionLab
import ProvisionSSH

/// The converge engine against real lab nodes. An extension of the lab suite, so that it runs
/// serialized with the other tests that use the lab's addresses.
extension LabSSHTests {
    func targets(_ lab: RunningLab, _ playbook: HostPlaybook) throws -> [Engine.Target] {
        let inventory = try InventoryLoader.load(files: [("lab.yml", lab.lab.inventory(lab.nodes))])
        return inventory.hosts.map { Engine.Target(host: $0, playbook: playbook) }
    }

    func ssh(_ lab: RunningLab, _ node: Lab.Node, _ command: String) throws -> CommandResult {
        try SSHConnection(lab.options(node)).execute(command)
    }

    @Test("base role: converge from scratch, a second apply changes nothing, a hand edit is found by check and repaired; one exec per no-op check")
    func baseRoleConverges() throws {
        let lab = try RunningLab(count: 2)
        defer { lab.stop() }
        try lab.writeInventory()
        #expect(try lab.provision(["check"]).status == 2, "fresh nodes drift from base")
        let first = try lab.provision(["apply"])
        #expect(first.status == 2, "\(first.output)")
        #expect(first.output.contains("lab-1  handler 'reload ssh' ran"))
        // The nodes are containers: no var says so, their probes find it, and the summaries say
        // what was left out there and why.
        #expect(first.output.contains("lab-1  sysctl:vm.swappiness  changed: /etc/sysctl.d/60-provision-vm.swappiness.conf: create (43 bytes, mode 0644); not set live: /proc/sys is read-only in a systemd-nspawn container"),
                "\(first.output)")
        #expect(first.output.contains("lab-1  service:systemd-timesyncd  changed: enable (is not installed yet), not started: systemd does not run systemd-timesyncd in a systemd-nspawn container"),
                "\(first.output)")
        let second = try lab.provision(["apply"])
        #expect(second.status == 0, "\(second.output)")
        #expect(!second.output.contains("changed:") && !second.output.contains("unknown:"), "\(second.output)")

        let json = try lab.provision(["check", "--json"])
        #expect(json.status == 0)
        let document = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as! [String: Any]
        let execs = (document["hosts"] as! [[String: Any]]).map { $0["execs"] as! Int }
        #expect(execs == [1, 1], "a no-op check is one exec per host")
        // Each node has a PID namespace of its own: what it counts is its probe's processes,
        // one per kind of fact (stat, sha256sum, dpkg-query, systemctl show, systemd-detect-virt,
        // getent passwd and group) however many resources ask: 7 for base's 14 here.
        for host in document["hosts"] as! [[String: Any]] {
            let probe = try #require(host["probe"] as? [String: Any], "\(host)")
            let resources = (host["resources"] as! [[String: Any]]).count
            let processes = probe["processes"] as! Int
            #expect(processes >= 3 && processes <= 8 && resources >= 12 && (probe["seconds_on_host"] as! Double) >= 0, "\(probe), \(resources) resources")
        }

        _ = try ssh(lab, lab.nodes[1], "echo 'PasswordAuthentication yes' >> /etc/ssh/sshd_config.d/50-provision.conf")
        let drift = try lab.provision(["check"])
        #expect(drift.status == 2)
        let driftLines = drift.output.split(separator: "\n").filter { $0.contains("drift:") }
        #expect(driftLines == ["lab-2  file:/etc/ssh/sshd_config.d/50-provision.conf  drift: content"])
        let repair = try lab.provision(["apply", "--limit", "lab-2"])
        #expect(repair.status == 2)
        #expect(repair.output.contains("lab-2  handler 'reload ssh' ran"))
        #expect(try lab.provision(["check"]).status == 0)
        #expect(try ssh(lab, lab.nodes[1], "cat /etc/ssh/sshd_config.d/50-provision.conf").stdout.contains("PasswordAuthentication no"))
        // The admin user from vars.admins logs in with its key. (A user's first login starts its
        // systemd user instance, slow when qemu boots share the two cores: a longer timeout.)
        let admin = try SSHConnection(.init(host: lab.nodes[0].address, user: "ops", identities: [.keyFile(lab.lab.keyFile)],
                                            knownHosts: lab.lab.knownHosts, connectTimeout: .seconds(60)))
        #expect(try admin.execute("id -nG").stdout == "ops adm\n")
    }

    @Test("a handler runs once for several changes; a failing resource exits 1, stops its host, leaves no temp file; an unguarded command is unknown in check")
    func handlersFailuresUnknown() throws {
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        let counter = Handler(name: "count", command: "echo ran >> /root/handler-runs")
        let playbook = HostPlaybook(resources: [
            FileResource("/etc/provision-a", content: "a\n", notifies: ["count"]),
            FileResource("/etc/provision-b", content: "b\n", notifies: ["count"]),
        ], handlers: [counter])
        let applied = Engine.run(try targets(lab, playbook), options: .init(mode: .apply, connectors: .standard))
        #expect(applied[0].changed.count == 2)
        #expect(applied[0].handlersRun == ["count"])
        #expect(try ssh(lab, lab.nodes[0], "cat /root/handler-runs").stdout == "ran\n")
        let again = Engine.run(try targets(lab, playbook), options: .init(mode: .apply, connectors: .standard))
        #expect(again[0].changed.isEmpty && again[0].handlersRun.isEmpty)
        #expect(ExitStatus.of(again).code == 0)

        let failing = HostPlaybook(resources: [
            FileResource("/etc/provision-c", content: "c\n", owner: "no-such-user"),
            FileResource("/etc/provision-d", content: "d\n"),
        ], handlers: [])
        let failed = Engine.run(try targets(lab, failing), options: .init(mode: .apply, connectors: .standard))
        #expect(failed[0].failed.map(\.name) == ["/etc/provision-c"])
        #expect(failed[0].resources.last?.state == .skipped("create (2 bytes, mode 0644) (an earlier resource failed)"))
        #expect(ExitStatus.of(failed).code == 1)
        let leftovers = try ssh(lab, lab.nodes[0], "ls -a /etc | grep -c provision- ; true").stdout
        #expect(leftovers == "2\n", "only /etc/provision-a and -b: no half-written or temporary file")

        let unguarded = HostPlaybook(resources: [CommandResource("touch /root/touched"),
                                                 CommandResource("touch /root/created", creates: "/root/created")], handlers: [])
        let checked = Engine.run(try targets(lab, unguarded), options: .init(mode: .check, connectors: .standard))
        #expect(checked[0].unknown.map(\.name) == ["touch /root/touched"])
        #expect(checked[0].drifted.map(\.name) == ["touch /root/created"])
        #expect(ExitStatus.of(checked).code == 2)
        let ran = Engine.run(try targets(lab, unguarded), options: .init(mode: .apply, connectors: .standard))
        #expect(ran[0].changed.count == 2)
        #expect(Engine.run(try targets(lab, unguarded), options: .init(mode: .check, connectors: .standard))[0].drifted.isEmpty)
    }

    @Test("a stopped node is reported unreachable (exit 4, with 2 for the others' changes) while the others converge")
    func unreachableWhileOthersConverge() throws {
        let lab = try RunningLab(count: 2)
        defer { lab.stop() }
        try lab.powerOff(lab.nodes[1])
        try lab.writeInventory()
        let result = try lab.provision(["apply"])
        #expect(result.status == 6, "\(result.output)")
        #expect(result.output.contains("lab-2  UNREACHABLE: 127.0.0.12:22: cannot connect"))
        #expect(result.output.contains("lab-1  file:/etc/motd  changed"))
    }

    @Test("line in file: matching lines replaced once, the line appended when missing, mode kept, then in sync")
    func lineInFile() throws {
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        let node = lab.nodes[0]
        _ = try ssh(lab, node, "printf 'Port 22\\n#PermitRootLogin no\\nPermitRootLogin yes\\nX11Forwarding yes\\n' > /etc/provision-sshd && chmod 600 /etc/provision-sshd")
        let playbook = HostPlaybook(resources: [
            LineInFileResource("/etc/provision-sshd", line: "PermitRootLogin prohibit-password", match: "^#?PermitRootLogin"),
            LineInFileResource("/etc/provision-sshd", line: "UseDNS no"),
        ], handlers: [])
        let checked = Engine.run(try targets(lab, playbook), options: .init(mode: .check, connectors: .standard))
        #expect(checked[0].drifted.count == 2)
        let applied = Engine.run(try targets(lab, playbook), options: .init(mode: .apply, connectors: .standard))
        #expect(applied[0].changed.count == 2, "\(applied[0].resources)")
        #expect(try ssh(lab, node, "cat /etc/provision-sshd").stdout == "Port 22\nPermitRootLogin prohibit-password\nX11Forwarding yes\nUseDNS no\n")
        #expect(try ssh(lab, node, "stat -c %a /etc/provision-sshd").stdout == "600\n")
        let again = Engine.run(try targets(lab, playbook), options: .init(mode: .check, connectors: .standard))
        #expect(again[0].drifted.isEmpty && again[0].unknown.isEmpty)
    }

    @Test("package (apt): installed from Debian's registry, found missing by check after a hand removal, reinstalled")
    func package() throws {
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        let node = lab.nodes[0]
        let playbook = HostPlaybook(resources: [PackageResource("tree"), PackageResource("nano", .absent)], handlers: [])
        let applied = Engine.run(try targets(lab, playbook), options: .init(mode: .apply, connectors: .standard))
        #expect(applied[0].changed.map(\.name) == ["tree"], "\(applied[0].resources)")
        #expect(try ssh(lab, node, "tree --version").status == 0)
        #expect(ExitStatus.of(Engine.run(try targets(lab, playbook), options: .init(mode: .check, connectors: .standard))).code == 0)
        _ = try ssh(lab, node, "dpkg -r tree")
        let drift = Engine.run(try targets(lab, playbook), options: .init(mode: .check, connectors: .standard))
        #expect(drift[0].drifted.map(\.id) == ["package:tree"])
        #expect(Engine.run(try targets(lab, playbook), options: .init(mode: .apply, connectors: .standard))[0].changed.map(\.name) == ["tree"])
    }

    @Test("package (apt): while another apt holds the lock of the package cache the lab's nodes share, an install waits, then installs")
    func packageWaitsForAptLock() async throws {
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        let node = lab.nodes[0]
        // The controller takes the cache's lock the way apt does (fcntl), as a neighbour's apt would.
        let lockFile = open("\(lab.lab.packageCache)/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        try #require(lockFile >= 0)
        defer { close(lockFile) }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        try #require(fcntl(lockFile, F_SETLK, &lock) == 0, "the lock is free at the start")

        let targets = try targets(lab, HostPlaybook(resources: [PackageResource("tree")], handlers: []))
        async let applied = DedicatedThread.run { Engine.run(targets, options: .init(mode: .apply, connectors: .standard)) }
        try await Task.sleep(for: .seconds(8))
        // The fix's script is in its sh's command line (the pattern keeps grep from finding itself).
        let meanwhile = try ssh(lab, node, "dpkg-query -W -f='${Status}' tree 2>/dev/null; grep -qs 'apt_[w]aiting' /proc/[0-9]*/cmdline && echo ' fix waiting'")
        #expect(!meanwhile.stdout.contains("install ok installed"), "nothing is installed while the lock is held")
        #expect(meanwhile.stdout.contains("fix waiting"), "the fix is still at it: \(meanwhile.stdout)")
        lock.l_type = Int16(F_UNLCK)
        _ = fcntl(lockFile, F_SETLK, &lock)

        let reports = await applied
        #expect(reports[0].changed.map(\.name) == ["tree"], "\(reports[0].resources)")
        #expect(try ssh(lab, node, "tree --version").status == 0)
    }

    @Test("rolling runs: --batch 1 --max-fail 0 stops starting batches after an unreachable host; without --max-fail all run")
    func rollingBatches() throws {
        let lab = try RunningLab(count: 3)
        defer { lab.stop() }
        try lab.powerOff(lab.nodes[0])
        try lab.writeInventory()
        let stopped = try lab.provision(["apply", "--batch", "1", "--max-fail", "0", "--no-quiet"])
        #expect(stopped.status == 5, "unreachable (4) + hosts left out (1): \(stopped.output)")
        #expect(stopped.output.contains("lab-2  not started: 1 of 1 hosts failed, more than --max-fail allows"))
        #expect(stopped.output.contains("lab-3  -   -        -        -       not started"))
        #expect(!stopped.output.contains("lab-2  file:"), "nothing was done on lab-2")
        let all = try lab.provision(["apply", "--batch", "34%"])
        #expect(all.status == 6, "\(all.output)")
        #expect(all.output.contains("lab-3  file:/etc/motd  changed"))
        let bad = try lab.provision(["apply", "--batch", "0"])
        #expect(bad.status == 64)
    }

    @Test("--diff shows a unified diff of a drifted file in the same single exec; sensitive content is never shown")
    func diffs() throws {
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        _ = try ssh(lab, lab.nodes[0], "printf 'keep\\nold value\\n' > /etc/provision-diff; printf 'secret-old\\n' > /etc/provision-secret")
        let playbook = HostPlaybook(resources: [
            FileResource("/etc/provision-diff", content: "keep\nnew value\n"),
            FileResource("/etc/provision-secret", content: "secret-new\n", mode: "0600", sensitive: true),
        ], handlers: [])
        let checked = Engine.run(try targets(lab, playbook), options: .init(mode: .check, connectors: .standard, diff: true))
        #expect(checked[0].execs == 1)
        #expect(checked[0].resources[0].diff == "--- a/etc/provision-diff\n+++ b/etc/provision-diff\n@@ -1,2 +1,2 @@\n keep\n-old value\n+new value\n")
        let secret = try #require(checked[0].resources[1].diff)
        #expect(!secret.contains("secret"), "sensitive content leaked: \(secret)")
        #expect(checked[0].resources[1].state == .drift("content (sensitive), mode 644 → 0600"))
    }

    @Test("users and groups: created with shell, groups and exactly the listed keys; a hand change of shell is drift")
    func usersAndGroups() throws {
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBRpEpm3gdopOcZrMmE044++qRtiPmQosZmDgqKU1sez ops@example.net"
        let playbook = HostPlaybook(resources: [
            GroupResource("ops-team", gid: 2501),
            UserResource("ops", groups: ["adm", "ops-team"], authorizedKeys: [key]),
        ], handlers: [])
        let applied = Engine.run(try targets(lab, playbook), options: .init(mode: .apply, connectors: .standard))
        #expect(applied[0].changed.count == 2, "\(applied[0].resources)")
        let node = lab.nodes[0]
        #expect(try ssh(lab, node, "getent group ops-team | cut -d: -f3").stdout == "2501\n")
        #expect(try ssh(lab, node, "id -nG ops").stdout == "ops adm ops-team\n")
        #expect(try ssh(lab, node, "cat ~ops/.ssh/authorized_keys; stat -c '%a %U' ~ops/.ssh/authorized_keys").stdout == key + "\n600 ops\n")
        #expect(ExitStatus.of(Engine.run(try targets(lab, playbook), options: .init(mode: .check, connectors: .standard))).code == 0)
        _ = try ssh(lab, node, "usermod -s /bin/sh ops")
        let drift = Engine.run(try targets(lab, playbook), options: .init(mode: .check, connectors: .standard))
        #expect(drift[0].drifted.map(\.id) == ["user:ops"])
        #expect(drift[0].drifted.first?.state == .drift("shell /bin/sh → /bin/bash"))
    }
}
