import Foundation
import Testing
@testable import Provision

/// `provision up` refusing bad input before it touches anything, and a BMC that does not answer.
@Suite("provision up command line", .tags(.medium))
struct UpCommandTests {
    static let passwordVariable = "PROVISION_TEST_UP_BMC_PASSWORD"

    @Test("bad input exits 64 with nothing armed; a BMC that refuses connections fails pxe-once with exit 4, recorded for status")
    func refusalsAndUnreachableBMC() throws {
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
        #expect(try workspace.provision(["netboot", "render"], inventory: inventory).status == 0)
        let cases: [(arguments: [String], message: String)] = [
            (["node-9"], "no host 'node-9' in \(inventory); did you mean 'node-1'?"),
            (["node-2"], "refusing to arm protected host node-2"),
            (["node-3"], "host node-3 has no 'bmc' in the inventory"),
            (["node-1"], "environment variable \(Self.passwordVariable) is not set"),
            (["node-1", "--batch", "0"], "--batch '0' is not a positive N or N%"),
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
        let status = try workspace.provision(["status"], inventory: inventory)
        #expect(status.output.contains("pxe-once failed"), "\(status.output)")
    }
}
