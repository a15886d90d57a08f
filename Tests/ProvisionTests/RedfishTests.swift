import Foundation
import Logging
import Testing
@testable import Provision
@testable import ProvisionLab

/// Power control through Redfish against sushy-tools' emulator: TLS checked against a CA made
/// by the test, HTTP basic authentication, and the `provision power` command's exit codes.
@Suite("Redfish power control", .tags(.medium))
struct RedfishTests {
    static let passwordVariable = "PROVISION_TEST_BMC_PASSWORD"
    static let environment = [passwordVariable: RedfishEmulator.password]

    struct PowerCase: Sendable, CustomTestStringConvertible {
        var initial: RedfishClient.PowerState
        var change: RedfishClient.PowerChange
        var requested: RedfishClient.ResetType?
        var final: RedfishClient.PowerState

        var testDescription: String { "\(change.rawValue) when \(initial.rawValue)" }
    }

    @Test("on, off and cycle change the emulator's power state, read back", arguments: [
        PowerCase(initial: .off, change: .on, requested: .on, final: .on),
        PowerCase(initial: .on, change: .off, requested: .forceOff, final: .off),
        PowerCase(initial: .off, change: .cycle, requested: .on, final: .on),
        PowerCase(initial: .on, change: .cycle, requested: .forceRestart, final: .on),
        PowerCase(initial: .on, change: .on, requested: nil, final: .on),
    ])
    func powerChanges(_ power: PowerCase) async throws {
        let emulator = try await RedfishEmulator.start(powerState: power.initial.rawValue)
        defer { emulator.stop() }
        let client = try client(emulator, tls: .caFile(emulator.caFile))
        #expect(try client.change(power.change) == RedfishClient.PowerChangeOutcome(before: power.initial, requested: power.requested))
        if power.requested == .forceRestart {
            #expect(try client.powerState() == .off, "the emulator is off from the moment it accepts a restart")
        }
        #expect(try await waitForPowerState(power.final, client) == power.final)
    }

    @Test("the command: status, pxe-once (seen in the system's Boot), on; protected hosts need --force-protected; no password in the log")
    func command() async throws {
        let emulator = try await RedfishEmulator.start(powerState: "On")
        defer { emulator.stop() }
        let inventory = try writeInventory(bmc: emulator.bmcYAML(passwordEnv: Self.passwordVariable, extra: "ca_file: \(emulator.caFile)"), in: emulator.directory)

        let status = try await provision(["node-1", "status"], inventory: inventory)
        #expect(status.status == 0, "\(status.output)")
        #expect(status.output == "node-1: On\n")

        let pxe = try await provision(["node-1", "pxe-once", "--verbose"], inventory: inventory)
        #expect(pxe.status == 0, "\(pxe.output)")
        #expect(pxe.output.contains("node-1: its next boot (only) is a network boot (legacy BIOS PXE)"))
        #expect(pxe.output.contains("GET /redfish/v1/Systems 200 in "), "--verbose logs every request")
        #expect(pxe.output.contains("PATCH /redfish/v1/Systems/\(RedfishEmulator.systemID) 204 in "))
        #expect(!pxe.output.contains(RedfishEmulator.password) && !pxe.output.contains("Authorization"))
        let client = try client(emulator, tls: .caFile(emulator.caFile))
        // node-1 is a BIOS host, so Legacy shows the change (the emulator starts in UEFI). The
        // emulator ignores BootSourceOverrideEnabled and always reports Continuous: not checked.
        let boot = try client.bootOverride()
        #expect(boot.target == "Pxe")
        #expect(boot.mode == "Legacy")

        // -v logs every request made to the BMC: a refused command makes none (the emulator
        // applies power changes seconds late, so reading its state back could not tell).
        let refused = try await provision(["node-2", "off", "-v"], inventory: inventory)
        #expect(refused.status == 64)
        #expect(refused.output.contains("refusing to switch off protected host node-2"))
        #expect(!refused.output.contains("/redfish/v1"), "a refused command does not reach the BMC: \(refused.output)")
        let forced = try await provision(["node-2", "off", "--force-protected"], inventory: inventory)
        #expect(forced.status == 0, "\(forced.output)")
        #expect(forced.output.contains("node-2: was On; the BMC accepted ForceOff"))
    }

    @Test("a wrong password is an authentication error (exit 4) that names the user, not the password")
    func wrongPassword() async throws {
        let emulator = try await RedfishEmulator.start()
        defer { emulator.stop() }
        let inventory = try writeInventory(bmc: emulator.bmcYAML(passwordEnv: Self.passwordVariable, extra: "ca_file: \(emulator.caFile)"), in: emulator.directory)
        let result = try await provision(["node-1", "status"], inventory: inventory, password: "not-the-password")
        #expect(result.status == 4)
        #expect(result.output.contains("node-1: GET \(emulator.address)/redfish/v1/Systems: HTTP 401: the BMC refused user 'admin' with the password (secret from environment variable \(Self.passwordVariable)): Incorrect username or password"), "\(result.output)")
        #expect(!result.output.contains("not-the-password"))
    }

    @Test("TLS: the right ca_file verifies; another CA or the system store is refused (exit 4); insecure_tls is the only way past, with a warning; the inventory's system")
    func tls() async throws {
        let emulator = try await RedfishEmulator.start()
        defer { emulator.stop() }
        func powerState(_ tls: TLSVerification) throws -> RedfishClient.PowerState {
            try client(emulator, tls: tls).powerState()
        }
        #expect(try powerState(.caFile(emulator.caFile)) == .off)
        for untrusted in [TLSVerification.caFile(emulator.otherCAFile), .systemTrust] {
            let error = try #require(throws: RedfishError.self) { try powerState(untrusted) }
            #expect(error.kind == .tls)
            #expect(error.message.contains("SSL certificate problem"), "libcurl's reason is kept: \(error.message)")
            #expect(error.message.contains("name the CA that signed it with 'ca_file'"))
        }
        #expect(try powerState(.insecure) == .off)

        let other = try writeInventory(bmc: emulator.bmcYAML(passwordEnv: Self.passwordVariable, extra: "ca_file: \(emulator.otherCAFile)"), in: emulator.directory)
        let refused = try await provision(["node-1", "status"], inventory: other)
        #expect(refused.status == 4)
        #expect(refused.output.contains("the BMC's certificate is not trusted"), "\(refused.output)")
        let system = "/redfish/v1/Systems/\(RedfishEmulator.systemID)"
        let insecure = try writeInventory(bmc: emulator.bmcYAML(passwordEnv: Self.passwordVariable, extra: "insecure_tls: true, system: \(system)"), in: emulator.directory)
        let accepted = try await provision(["node-1", "status", "--verbose"], inventory: insecure)
        #expect(accepted.status == 0, "\(accepted.output)")
        #expect(accepted.output.contains("TLS certificate checks for the BMC at \(emulator.address) are off (insecure_tls: true)"))
        #expect(accepted.output.contains("GET \(system) 200") && !accepted.output.contains("GET /redfish/v1/Systems 200"), "the inventory's system is used as it is")
    }

    @Test("a BMC that accepts connections and never answers times out after the retries, in the configured time, exit 4")
    func silentBMC() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // The kernel completes TCP handshakes for a listening socket; nobody ever reads from them.
        let port = try freeLoopbackPort()
        let listener = try ChildProcess("python3", ["-c", "import socket, sys, time; s = socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(8); time.sleep(600)", String(port)],
                                        outputFile: "\(directory.path)/listener.log")
        defer { listener.stop() }
        while !Lab.answers("127.0.0.1", port: port) { try await Task.sleep(for: .milliseconds(50)) }
        let inventory = try writeInventory(bmc: "{type: redfish, address: https://127.0.0.1:\(port), username: admin, password_env: \(Self.passwordVariable)}", in: directory)

        let started = ContinuousClock.now
        let result = try await provision(["node-1", "status", "--timeout", "1", "--retries", "2"], inventory: inventory)
        let elapsed = ContinuousClock.now - started
        #expect(result.status == 4, "\(result.output)")
        #expect(result.output.contains("Timeout was reached"), "\(result.output)")
        #expect(result.output.contains("(3 attempts)"))
        #expect(result.output.components(separatedBy: "; retrying in").count == 3, "both retries are logged")
        // Three 1 s attempts and backoffs of 0.5 s and 1 s: 4.5 s, plus the command's start. The
        // upper bound is loose (CI runs qemu and the lab beside it); what it shows is that the
        // silent BMC (which would hold the connection for 600 s) did not hold the command.
        #expect(elapsed >= .seconds(3) && elapsed < .seconds(60), "took \(elapsed)")
    }

    @Test("usage errors exit 64 before any BMC is contacted: unknown host, no BMC, IPMI, unset password, protected host")
    func usageErrors() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let inventory = try writeInventory(bmc: "{type: redfish, address: https://127.0.0.1:9, username: admin, password_env: PROVISION_TEST_UNSET_VARIABLE}", in: directory)
        let cases: [(arguments: [String], inventory: String, message: String)] = [
            (["node-9", "status"], inventory, "no host 'node-9' in \(inventory); did you mean 'node-1'?"),
            (["node-3", "on"], inventory, "host node-3 has no 'bmc' in the inventory"),
            (["kvm-a05", "status"], Fixtures.exampleInventory, "host kvm-a05 has an IPMI BMC (10.20.9.15); provision power speaks Redfish, IPMI is not supported yet"),
            (["node-1", "status"], inventory, "environment variable PROVISION_TEST_UNSET_VARIABLE is not set"),
            (["kvm-a06", "cycle"], Fixtures.exampleInventory, "refusing to power-cycle protected host kvm-a06"),
            (["node-1", "reboot"], inventory, "The value 'reboot' is invalid for '<action>'"),
        ]
        for (arguments, inventory, message) in cases {
            let result = try await provision(arguments, inventory: inventory)
            #expect(result.status == 64, "\(arguments): \(result.output)")
            #expect(result.output.contains(message), "\(arguments): \(result.output)")
        }
    }

    /// A client of the emulator that logs only failures (the test's output stays readable).
    private func client(_ emulator: RedfishEmulator, tls: TLSVerification) throws -> RedfishClient {
        let password = try Secret(.environment(Self.passwordVariable)).resolved(environment: Self.environment)
        let bmc = BMC(kind: .redfish, address: emulator.address, username: RedfishEmulator.username, password: password, tls: tls)
        var logger = Logger(label: "provision.redfish")
        logger.logLevel = .warning
        return try RedfishClient(bmc: bmc, logger: logger)
    }

    /// The emulator's fake driver applies a power change 1 to 11 s after accepting it, like real
    /// hardware: polls for up to 20 s.
    private func waitForPowerState(_ expected: RedfishClient.PowerState, _ client: RedfishClient) async throws -> RedfishClient.PowerState {
        let deadline = ContinuousClock.now + .seconds(20)
        var state = try client.powerState()
        while state != expected, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            state = try client.powerState()
        }
        return state
    }

    /// `provision power ARGUMENTS -i INVENTORY`, with the BMC password in the environment.
    private func provision(_ arguments: [String], inventory: String, password: String = RedfishEmulator.password) async throws -> (status: Int32, output: String) {
        try await DedicatedThread.run {
            try run(CommandLineTests.binary, ["power"] + arguments + ["-i", inventory], environment: [Self.passwordVariable: password])
        }
    }

    /// Fixtures/redfish-site.yml with this `bmc` mapping: node-1 (BIOS) and node-2 (protected)
    /// have it, node-3 has no BMC.
    private func writeInventory(bmc: String, in directory: TemporaryDirectory) throws -> String {
        let path = "\(directory.path)/site-\(UUID().uuidString).yml"
        let template = try String(contentsOfFile: Fixtures.path("redfish-site.yml"), encoding: .utf8)
        try template.replacingOccurrences(of: "BMC_MAPPING", with: bmc).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
