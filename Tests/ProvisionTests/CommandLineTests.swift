import Foundation
import Testing
@testable import Provision

/// `provision` as an operator runs it, in this process (`InProcessCommand`): exit codes,
/// messages, files on disk. What needs the binary itself (signals, a memory limit) starts it.
@Suite("provision command line", .tags(.medium))
struct CommandLineTests {
    static let binary = "\(Fixtures.repository)/.build/debug/provision"

    struct Workspace {
        let directory: TemporaryDirectory
        var state: String { "\(directory.path)/state.sqlite" }
        var tree: String { "\(directory.path)/pxe" }

        init() throws { directory = try TemporaryDirectory() }

        /// `provision` in this process, on this workspace's state file and tree.
        /// `input`: the lines typed at a terminal; nil, no terminal (as under cron).
        /// `environment`: variables the command's context has beyond this process's.
        func provision(_ arguments: [String], inventory: String = Fixtures.exampleInventory, environment: [String: String] = [:],
                       input: [String]? = nil) async throws -> (status: Int32, output: String) {
            await InProcessCommand.run(arguments + ["--inventory", inventory, "--state", state],
                                       environment: environment.merging(["PROVISION_TREE": tree]) { $1 }, input: input)
        }
    }

    @Test("validate: a good inventory exits 0, a bad one 64 with every error")
    func validate() async throws {
        let workspace = try Workspace()
        defer { workspace.directory.remove() }
        let good = try await workspace.provision(["validate"])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("12 hosts"))
        let bad = try await workspace.provision(["validate"], inventory: Fixtures.path("bad/many-errors.yml"))
        #expect(bad.status == 64)
        #expect(bad.output.contains("many-errors.yml:17:35: error: unknown key 'gatway' in 'network'; did you mean 'gateway'?"))
        #expect(bad.output.contains("4 errors"))
    }

    @Test("secrets are read from the command's context, not the process: a var's for plan, a BMC's password for power")
    func secretsFromContext() async throws {
        let workspace = try Workspace()
        defer { workspace.directory.remove() }
        let inventory = Fixtures.path("inventories/loopback-secrets.yml")
        #expect(ProcessInfo.processInfo.environment["PROVISION_CONTEXT_TOKEN"] == nil)

        let unset = try await workspace.provision(["plan"], inventory: inventory)
        #expect(unset.status == 64, "\(unset.output)")
        #expect(unset.output.contains("environment variable PROVISION_CONTEXT_TOKEN is not set"), "\(unset.output)")
        let set = try await workspace.provision(["plan"], inventory: inventory, environment: ["PROVISION_CONTEXT_TOKEN": "t0ken-in-context"])
        #expect(set.status == 4, "read, so the plan went on to the host, which does not answer: \(set.output)")
        #expect(!set.output.contains("t0ken-in-context"))

        let noPassword = try await workspace.provision(["power", "node-1", "status"], inventory: inventory)
        #expect(noPassword.status == 64, "\(noPassword.output)")
        #expect(noPassword.output.contains("environment variable PROVISION_CONTEXT_BMC_PASSWORD is not set"), "\(noPassword.output)")
        let password = try await workspace.provision(["power", "node-1", "status", "--timeout", "2", "--retries", "0"], inventory: inventory,
                                                     environment: ["PROVISION_CONTEXT_BMC_PASSWORD": "bmc-pass-in-context"])
        #expect(password.status == 4, "read, so the BMC was asked, and it does not answer: \(password.output)")
        #expect(!password.output.contains("bmc-pass-in-context"))
    }

    @Test("validate: site playbooks are checked too; their errors exit 64 with file, line and column")
    func validatePlaybooks() async throws {
        let workspace = try Workspace()
        defer { workspace.directory.remove() }
        let good = try await workspace.provision(["validate"], inventory: Fixtures.path("site-playbooks/site.yml"))
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("1 site playbook, no errors"))
        let bad = try await workspace.provision(["validate"], inventory: Fixtures.path("site-playbooks/broken-site.yml"))
        #expect(bad.status == 64)
        #expect(bad.output.contains("web-again.yml:5:5: error: unknown key 'mdoe' in directory '/srv/www'; did you mean 'mode'?\n    mdoe: \"0755\"\n    ^"))
        #expect(bad.output.contains("broken-site.yml:21:19: error: role 'webfrnt' is not defined"))
        #expect(bad.output.contains("5 errors"))
        let probe = try await workspace.provision(["check", "--print-probe"], inventory: Fixtures.path("site-playbooks/site.yml"))
        #expect(probe.status == 0, "\(probe.output)")
        #expect(probe.output.contains("'/etc/nginx/conf.d/site.conf'"), "check builds the host's playbook from the site role too")
    }

    @Test("an invalid inventory touches nothing: no tree, no state")
    func invalidTouchesNothing() async throws {
        let workspace = try Workspace()
        defer { workspace.directory.remove() }
        let result = try await workspace.provision(["netboot", "render"], inventory: Fixtures.path("bad/duplicate-mac.yml"))
        #expect(result.status == 64)
        #expect(!FileManager.default.fileExists(atPath: workspace.tree))
        #expect(!FileManager.default.fileExists(atPath: workspace.state))
    }

    @Test("render, arm, status: protected hosts refused, many hosts need --yes without a terminal")
    func armFlow() async throws {
        let workspace = try Workspace()
        defer { workspace.directory.remove() }
        #expect(try await workspace.provision(["install", "kvm-a01"]).status == 64, "arming before a render is refused")
        let render = try await workspace.provision(["netboot", "render"])
        #expect(render.status == 0, "\(render.output)")
        #expect(try await workspace.provision(["netboot", "render", "--check"]).status == 0, "a fresh tree is up to date")

        let protected = try await workspace.provision(["install", "kvm-a06"])
        #expect(protected.status == 64)
        #expect(protected.output.contains("refusing to arm protected host kvm-a06"))

        let many = try await workspace.provision(["install", "kvm-a01", "kvm-a02", "kvm-a03", "kvm-a04", "kvm-a05", "kvm-b01"])
        #expect(many.status == 64)
        #expect(many.output.contains("pass --yes"))

        let typo = try await workspace.provision(["install", "kvm-a1"])
        #expect(typo.status == 64)
        #expect(typo.output.contains("did you mean 'kvm-a01'?"))

        let armed = try await workspace.provision(["install", "kvm-a01", "kvm-a06", "--force-protected"])
        #expect(armed.status == 0, "\(armed.output)")
        #expect(try String(contentsOfFile: "\(workspace.tree)/tftp/pxelinux.cfg/01-3c-ec-ef-10-a0-51", encoding: .utf8).contains("kvm-a06/preseed.cfg"))

        // A full re-render keeps armed hosts armed.
        #expect(try await workspace.provision(["netboot", "render", "--check"]).status == 0)

        let status = try await workspace.provision(["status", "--json"])
        #expect(status.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as! [String: Any]
        let hosts = json["hosts"] as! [[String: Any]]
        #expect(hosts.count == 12)
        #expect(Dictionary(uniqueKeysWithValues: hosts.map { ($0["host"] as! String, $0["phase"] as! String) })["kvm-a01"] == "armed")
        #expect(hosts.filter { $0["phase"] as? String == "armed" }.count == 2)

        let table = try await workspace.provision(["status"])
        #expect(table.output.contains("kvm-a02  ready"))
    }

    @Test("arming more hosts than confirm_above at a terminal: the count typed back arms them, anything else arms none")
    func typedConfirmation() async throws {
        let workspace = try Workspace()
        defer { workspace.directory.remove() }
        #expect(try await workspace.provision(["netboot", "render"]).status == 0)
        let hosts = ["kvm-a01", "kvm-a02", "kvm-a03", "kvm-a04", "kvm-a05", "kvm-b01"]
        func armed() async throws -> Int {
            let status = try await workspace.provision(["status", "--json"])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any])
            return (json["hosts"] as? [[String: Any]] ?? []).filter { $0["phase"] as? String == "armed" }.count
        }
        let wrong = try await workspace.provision(["install"] + hosts, input: ["5"])
        #expect(wrong.status == 64, "\(wrong.output)")
        #expect(wrong.output.contains("About to arm 6 hosts for reinstall") && wrong.output.contains("Type 6 to continue: "), "\(wrong.output)")
        #expect(wrong.output.contains("not confirmed; nothing changed"), "\(wrong.output)")
        #expect(try await armed() == 0)
        let typed = try await workspace.provision(["install"] + hosts, input: ["6"])
        #expect(typed.status == 0, "\(typed.output)")
        #expect(try await armed() == 6)
    }

    @Test("render --diff shows what an inventory change does to the tree; --check exits 2")
    func renderDiff() async throws {
        let workspace = try Workspace()
        defer { workspace.directory.remove() }
        let copy = "\(workspace.directory.path)/site.yml"
        try FileManager.default.copyItem(atPath: Fixtures.exampleInventory, toPath: copy)
        #expect(try await workspace.provision(["netboot", "render"], inventory: copy).status == 0)
        let edited = try String(contentsOfFile: copy, encoding: .utf8).replacingOccurrences(of: "timezone: Europe/Berlin", with: "timezone: Europe/Paris")
        try edited.write(toFile: copy, atomically: true, encoding: .utf8)
        let check = try await workspace.provision(["netboot", "render", "--check"], inventory: copy)
        #expect(check.status == 2)
        #expect(check.output.contains("-d-i time/zone string Europe/Berlin\n+d-i time/zone string Europe/Paris"))
        #expect(try String(contentsOfFile: "\(workspace.tree)/install/kvm-a01/preseed.cfg", encoding: .utf8).contains("Europe/Berlin"), "--check writes nothing")
    }
}

extension CommandLineTests {
    @Test("^C during a check (a server that never answers): the first says what happens, a second ends provision at once (exit 130)")
    func secondInterruptEndsAtOnce() async throws {
        let workspace = try Workspace()
        defer { workspace.directory.remove() }
        // A listener that takes connections and never says a word: the SSH handshake waits.
        let listener = try LoopbackSocket()
        defer { close(listener.fd) }
        try #require(listen(listener.fd, 8) == 0)
        let port = listener.port
        let inventory = "\(workspace.directory.path)/silent.yml"
        try String(contentsOfFile: Fixtures.path("bad/bad-console.yml"), encoding: .utf8)
            .replacingOccurrences(of: "    console: serial0\n", with: "    ssh: {address: 127.0.0.1, port: \(port)}\n    roles: [base]\n")
            .replacingOccurrences(of: "# expect:", with: "# was:")
            .write(toFile: inventory, atomically: true, encoding: .utf8)
        let log = "\(workspace.directory.path)/check.log"
        let check = try ChildProcess(CommandLineTests.binary, ["check", "--no-quiet", "--connect-timeout", "60", "--inventory", inventory,
                                                               "--state", workspace.state], outputFile: log)
        let exited = DispatchSemaphore(value: 0)
        let pid = check.pid
        Thread { if exited.wait(timeout: .now() + 60) == .timedOut { kill(pid, SIGKILL) } }.start()
        try await Task.sleep(for: .seconds(2))  // connected, waiting for the server's banner
        kill(check.pid, SIGINT)
        var output = ""
        for _ in 0..<100 where !output.contains("interrupted") {
            try await Task.sleep(for: .milliseconds(100))
            output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        }
        #expect(output.contains("provision: interrupted: starting nothing new; the commands in flight finish (^C again to stop at once)"), "\(output)")
        kill(check.pid, SIGINT)
        let status = await DedicatedThread.run { Subprocess.wait(pid) }
        exited.signal()
        output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(status == 130, "\(output)")
    }
}
