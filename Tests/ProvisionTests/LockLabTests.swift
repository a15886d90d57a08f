import Foundation
import Testing
@testable import Provision
import ProvisionSSH

/// Runs never interleave: one per inventory on a controller, one apply at a time per host
/// whichever controller it comes from; and a lock left by a dead run is reported.
extension LabSSHTests {
    @Test("host lock: while another controller applies, apply and check report the host locked by it (exit 1) and change nothing; a dead holder's record is reported")
    func hostLock() throws {
        let lab = try RunningLab(count: 2)
        defer { lab.stop() }
        try lab.writeInventory()
        // The other controller: an apply's lock, held on lab-1 over its own SSH session.
        let other = try SSHConnection(lab.options(lab.nodes[0]))
        let taken = try other.hold(HostLock.exclusive(holderText: "ctl-2 pid 777: provision apply"), ready: HostLock.heldMarker)
        let held = try #require(taken.held, "\(taken.lines)")

        let apply = try lab.provision(["apply"])
        #expect(apply.status == 3, "lab-2 changed (2), lab-1 locked (1): \(apply.output)")
        #expect(apply.output.contains("lab-1  LOCKED by another run, nothing done: ctl-2 pid 777: provision apply"), "\(apply.output)")
        #expect(!(try ssh(lab, lab.nodes[0], "cat /etc/motd").stdout.contains("managed by provision")), "nothing was written on the locked host")
        #expect(try ssh(lab, lab.nodes[1], "cat /etc/motd").stdout.contains("managed by provision"))
        let check = try lab.provision(["check"])
        #expect(check.status == 1 && check.output.contains("lab-1  LOCKED by another run"), "\(check.output)")

        held.release()
        #expect(try lab.provision(["apply"]).status == 2)
        #expect(try lab.provision(["check"]).status == 0, "the lock is free again once released")

        // A holder that died without clearing its record (its shell was killed): reported, then taken.
        _ = try ssh(lab, lab.nodes[1], "echo 'ctl-3 pid 4242: provision apply, since 2026-11-24 03:00:00 UTC' > /run/provision.lock.holder")
        let stale = try lab.provision(["apply"])
        #expect(stale.status == 0, "\(stale.output)")
        #expect(stale.output.contains("lab-2  warning: a previous run ended without releasing this host's lock (ctl-3 pid 4242: provision apply, since 2026-11-24 03:00:00 UTC)"),
                "\(stale.output)")
        #expect(try ssh(lab, lab.nodes[1], "cat /run/provision.lock.holder").stdout.isEmpty, "a clean end clears the record")
    }

    @Test("controller lock: a second run on the same inventory says who holds it and exits 1, or waits with --wait; a dead run's lock record is reported")
    func controllerLock() throws {
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        try lab.writeInventory()
        let arguments = ["check", "--inventory", lab.inventoryPath, "--state", lab.statePath]
        let path = ControllerLock.path(state: lab.statePath, inventory: lab.inventoryPath)

        var lock: ControllerLock? = try ControllerLock(path: path, holder: "alice on ctl-1 pid 99: provision apply", wait: false)
        let busy = try run(CommandLineTests.binary, arguments)
        #expect(busy.status == 1)
        #expect(busy.output.contains("another provision run holds the lock of this inventory (\(path)): alice on ctl-1 pid 99: provision apply"), "\(busy.output)")

        // --wait: started while the lock is held, finishes once it is released.
        let log = "\(lab.directory.path)/wait.log"
        let waiting = try ChildProcess(CommandLineTests.binary, arguments + ["--wait"], outputFile: log)
        for _ in 0..<100 where !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("waiting for the lock") { usleep(50_000) }
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains("waiting for the lock of this inventory, held by alice on ctl-1 pid 99"))
        lock?.release()
        lock = nil
        let status = Subprocess.wait(waiting.pid)
        let output = try String(contentsOfFile: log, encoding: .utf8)
        #expect(status == 2, "the waiting check ran after the release: \(output)")

        // A record without a holder: the run that wrote it died.
        try "bob on ctl-2 pid 31337: provision apply, since 2026-11-24 03:00:00 UTC\n".write(toFile: path, atomically: false, encoding: .utf8)
        let stale = try run(CommandLineTests.binary, arguments)
        #expect(stale.output.contains("warning: a previous run ended without releasing this inventory's lock (bob on ctl-2 pid 31337"), "\(stale.output)")
        #expect(try String(contentsOfFile: path, encoding: .utf8).isEmpty, "a clean end clears the record")
    }
}
