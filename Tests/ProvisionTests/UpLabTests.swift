import Foundation
import Logging
import Testing
@testable import Provision
import ProvisionSSH

/// `provision up` end to end: sushy-tools' Redfish emulator stands in for each host's BMC, a lab
/// node for the installed host, and the test plays the installer. An extension of the lab
/// suite, so that it runs serialized with the other tests that use the lab's addresses.
extension LabSSHTests {
    @Test("provision up: PXE once and a power cycle through the BMC, the callback brings the host key, a verified login, converge, ready; a second up does nothing; a host whose callback never comes fails at install while the other succeeds")
    func upEndToEnd() async throws {
        let lab = try RunningLab(count: 2)
        defer { lab.stop() }
        var emulators: [RedfishEmulator] = []
        defer { emulators.forEach { $0.stop() } }
        for _ in lab.nodes { emulators.append(try await RedfishEmulator.start(powerState: "Off")) }
        let installed = lab.nodes[0], silent = lab.nodes[1]
        let directory = lab.directory.path
        let port = try freeLoopbackPort()
        // The controller's known_hosts starts empty: the key must come through the callback.
        let knownHosts = "\(directory)/controller_known_hosts"
        try RedfishEmulator.password.write(toFile: "\(directory)/bmc-password", atomically: true, encoding: .utf8)
        try "role: hello\nresources:\n  - file: /etc/provision-up\n    content: \"brought up\\n\"\n"
            .write(toFile: "\(directory)/hello.yml", atomically: true, encoding: .utf8)
        try lab.writeInventory { text in
            var text = text
                .replacingOccurrences(of: "install_server: http://127.0.0.1:18080", with: "install_server: http://127.0.0.1:\(port)\n  playbooks: [hello.yml]")
                .replacingOccurrences(of: "known_hosts: \(lab.lab.knownHosts)", with: "known_hosts: \(knownHosts)")
                .replacingOccurrences(of: "roles: [base]", with: "roles: [hello]")
            for (node, emulator) in zip(lab.nodes, emulators) {
                text = text.replacingOccurrences(of: "    network: {address: \(node.address)}\n", with: """
                        network: {address: \(node.address)}
                        bmc: {type: redfish, address: \(emulator.address), username: \(RedfishEmulator.username), password_file: \(directory)/bmc-password, ca_file: \(emulator.caFile)}

                    """)
            }
            return text
        }
        let tree = "\(directory)/pxe"
        let render = try lab.provision(["netboot", "render", "--tree", tree])
        try #require(render.status == 0, "\(render.output)")
        let store = try InstallStateStore(path: lab.statePath)

        let started = ContinuousClock.now
        let arguments = ["up", installed.name, silent.name, "--serve", "--listen", "127.0.0.1:\(port)", "--tree", tree,
                         "--install-timeout", "25", "--ssh-timeout", "30", "--poll-interval", "0.2",
                         "--inventory", lab.inventoryPath, "--state", lab.statePath]
        async let up = DedicatedThread.run { try run(CommandLineTests.binary, arguments) }

        // The installer's part: once the host is armed and its BMC shows a network boot and the
        // power on, fetch the preseed (token filled in) and report with the node's real key.
        var quiet = Logger(label: "provision.redfish")
        quiet.logLevel = .warning
        let bmc = try RedfishClient(bmc: BMC(kind: .redfish, address: emulators[0].address, username: RedfishEmulator.username,
                                             password: try Secret(.file("\(directory)/bmc-password")).resolved(environment: [:]),
                                             tls: .caFile(emulators[0].caFile)),
                                    logger: quiet)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if try store.record(host: installed.name).bootsInstaller, try bmc.bootOverride().target == "Pxe", try bmc.powerState() == .on { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(try bmc.bootOverride().mode == "Legacy", "the lab's hosts are BIOS hosts")
        #expect(try bmc.powerState() == .on)
        let base = "http://127.0.0.1:\(port)"
        let preseed = try await CurlHTTP.get("\(base)/install/\(installed.name)/preseed.cfg")
        #expect(preseed.status == 200)
        let token = try #require(preseed.body.firstMatch(of: /token=([0-9a-f]{64})/)?.1).description
        let hostKey = try String(contentsOfFile: "\(lab.lab.directory)/nodes/\(installed.name)/root/etc/ssh/ssh_host_ed25519_key.pub", encoding: .utf8)
        let callback = try await CurlHTTP.post("\(base)/v1/hosts/\(installed.name)/installed",
                                               form: "token=\(token)&host_key=\(hostKey.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
        #expect(callback.status == 204)

        let result = try await up
        let elapsed = ContinuousClock.now - started
        #expect(result.status == 1, "a stage failed (the silent host's install): \(result.output)")
        #expect(result.output.contains("\(silent.name): install FAILED after"), "\(result.output)")
        #expect(result.output.contains("no install callback within 25 s (it never fetched its install file)"))
        #expect(result.output.contains("\(installed.name): ready"))
        #expect(result.output.contains("\(installed.name): converge: file:/etc/provision-up"), "each change is shown as it starts")
        // The silent host's 25 s install limit, not the default hour, ended the run (loose: CI is loaded).
        #expect(elapsed < .seconds(120), "took \(elapsed)")

        // The key came through the callback, and only that key.
        let key = try SSHHostKey(line: hostKey)
        #expect(try String(contentsOfFile: knownHosts, encoding: .utf8) == "\(installed.address) \(key.knownHostsKey)\n")
        let converged = try SSHConnection(lab.options(installed, knownHosts: knownHosts)).execute("cat /etc/provision-up")
        #expect(converged.stdout == "brought up\n")
        let stages = try store.events(host: installed.name).filter { $0.event.hasPrefix("up ") }
        #expect(stages.map(\.event) == ["arm", "pxe-once", "power-cycle", "install", "ssh", "converge", "ready"].map { "up \($0) done" })
        #expect(stages.allSatisfy { $0.seconds != nil })

        let status = try lab.provision(["status"])
        let rows = status.output.split(separator: "\n")
        // STATE and UP STAGE are both ready (fields split on spaces; times have one inside).
        let fields = rows.first { $0.hasPrefix(installed.name + " ") }?.split(separator: " ")
        #expect(fields?[1] == "ready" && fields?.last == "ready", "\(status.output)")
        #expect(rows.contains { $0.hasPrefix(silent.name) && $0.contains("install failed") && $0.contains("no install callback within 25 s") }, "\(status.output)")
        // The converge is in the run history, as an apply that changed the host.
        let history = try lab.provision(["history", installed.name])
        #expect(history.output.contains("apply  changed"), "\(history.output)")

        let again = try lab.provision(["up", installed.name, "--tree", tree])
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("\(installed.name): ready already"))
        #expect(try store.events(host: installed.name).filter { $0.event.hasPrefix("up ") }.count == stages.count, "nothing was done")
    }
}
