import Foundation
import Testing
@testable import Provision
@testable import ProvisionLab

/// `provision up` refusing bad input before it touches anything, and a BMC that does not answer.
@Suite("provision up command line", .tags(.medium))
struct UpCommandTests {
    static let passwordVariable = "PROVISION_TEST_UP_BMC_PASSWORD"

    @Test("bad input exits 64 with nothing armed; a BMC that refuses connections fails pxe-once with exit 4, recorded for status")
    func refusalsAndUnreachableBMC() async throws {
        let workspace = try CommandLineTests.Workspace()
        defer { workspace.directory.remove() }
        let inventory = "\(workspace.directory.path)/site.yml"
        // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        let bmc = "{type: redfish, address: https://127.0.0.1:9, username: admin, password_env: \(Self.passwordVariable)}"
        try String(contentsOfFile: Fixtures.path("redfish-site.yml"), encoding: .utf8).replacingOccurrences(of: "BMC_MAPPING", with: bmc)
            .write(toFile: inventory, atomically: true, encoding: .utf8)
        func up(_ arguments: [String], password: Bool = false) throws -> (status: Int32, output: String) {
            try run(CommandLineTests.binary, ["up"] + arguments + ["--inventory", inventory, "--state", workspace.state, "--tree", workspace.tree],
                    environment: password ? [Self.passwordVariable: "secret"] : [:])
        }

        let unrendered = try up(["node-1"], password: true)
        #expect(unrendered.status == 64)
        #expect(unrendered.output.contains("no rendered tree at \(workspace.tree): run `provision netboot render` first"))
        #expect(try await workspace.provision(["netboot", "render"], inventory: inventory).status == 0)
        let cases: [(arguments: [String], message: String)] = [
            (["node-9"], "no host 'node-9' in \(inventory); did you mean 'node-1'?"),
            (["node-2"], "refusing to arm protected host node-2"),
            (["node-3"], "host node-3 has no 'bmc' in the inventory"),
            (["node-1"], "environment variable \(Self.passwordVariable) is not set"),
            (["node-1", "--batch", "0"], "--batch must be a positive N or N%"),
        ]
        for (arguments, message) in cases {
            let result = try up(arguments)
            #expect(result.status == 64, "\(arguments): \(result.output)")
            #expect(result.output.contains(message), "\(arguments): \(result.output)")
        }
        let store = try InstallStateStore(path: workspace.state)
        #expect(try store.records().isEmpty, "nothing was armed")

        let unreachable = try up(["node-1", "--bmc-timeout", "2"], password: true)
        #expect(unreachable.status == 4, "\(unreachable.output)")
        #expect(unreachable.output.contains("node-1: pxe-once FAILED after"), "\(unreachable.output)")
        let record = try store.record(host: "node-1")
        #expect(record.phase == .ready && record.stage == .pxeOnce && record.stageOutcome == .failed, "disarmed again: the host was not restarted")
        #expect(record.stageDetail?.contains("127.0.0.1:9") == true, "\(String(describing: record.stageDetail))")
        let status = try await workspace.provision(["status"], inventory: inventory)
        #expect(status.output.contains("pxe-once failed"), "\(status.output)")
    }

    @Test("SIGTERM while up --serve waits for the installer: it stops waiting (exit 143), the install stage stays recorded as running, and its install server is gone")
    func terminatedWhileWaiting() async throws {
        let workspace = try CommandLineTests.Workspace()
        defer { workspace.directory.remove() }
        let emulator = try await RedfishEmulator.start(powerState: "Off")
        defer { emulator.stop() }
        let directory = workspace.directory.path
        let inventory = "\(directory)/site.yml"
        try RedfishEmulator.password.write(toFile: "\(directory)/bmc-password", atomically: true, encoding: .utf8)
        let bmc = "{type: redfish, address: \(emulator.address), username: \(RedfishEmulator.username), password_file: \(directory)/bmc-password, ca_file: \(emulator.caFile)}"
        try String(contentsOfFile: Fixtures.path("redfish-site.yml"), encoding: .utf8).replacingOccurrences(of: "BMC_MAPPING", with: bmc)
            .write(toFile: inventory, atomically: true, encoding: .utf8)
        #expect(try await workspace.provision(["netboot", "render"], inventory: inventory).status == 0)
        let port = try freeLoopbackPort()
        let log = "\(directory)/up.log"
        let up = try ChildProcess(CommandLineTests.binary, ["up", "node-1", "--serve", "--listen", "127.0.0.1:\(port)", "--poll-interval", "0.2",
                                                            "--inventory", inventory, "--state", workspace.state, "--tree", workspace.tree], outputFile: log)
        var output = ""
        for _ in 0..<600 where !output.contains("node-1: install: waiting") {
            try await Task.sleep(for: .milliseconds(100))
            output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        }
        try #require(output.contains("node-1: install: waiting"), "up never waited for the installer:\n\(output)")
        #expect(Lab.answers("127.0.0.1", port: port), "the install server takes callbacks while up waits")

        kill(up.pid, SIGTERM)
        // Bounded: should up ignore the signal, it is killed after 60 s and the test says so.
        let pid = up.pid
        let exited = DispatchSemaphore(value: 0)
        Thread { if exited.wait(timeout: .now() + 60) == .timedOut { kill(pid, SIGKILL) } }.start()
        let status = await DedicatedThread.run { Subprocess.wait(pid) }
        exited.signal()  // the pid may belong to another process from now on
        output = try String(contentsOfFile: log, encoding: .utf8)
        #expect(status == 143, "up did not stop on SIGTERM (exit \(status)):\n\(output)")
        #expect(output.contains("provision: terminated: starting nothing new"), "\(output)")
        #expect(output.contains("node-1: install interrupted; the next `provision up` resumes here"), "\(output)")
        #expect(!Lab.answers("127.0.0.1", port: port), "the install server ended with up")
        #expect(!output.contains("error provision.serve"), "the install server stops without errors:\n\(output)")
        let record = try InstallStateStore(path: workspace.state).record(host: "node-1")
        #expect(record.stage == .install && record.stageOutcome == .running && record.bootsInstaller, "still armed, install running: \(record)")
    }
}
