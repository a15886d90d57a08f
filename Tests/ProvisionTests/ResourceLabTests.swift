import Foundation
@testable import Playbooks
import Testing
@testable import Provision
import ProvisionSSH

/// Every resource type's life on a real node: converged from scratch, in sync on the second
/// apply, a hand change found by `check` (naming exactly that resource) and repaired.
extension LabSSHTests {
    /// Applies `playbook`, applies again (nothing may change), runs `handChange` on the node,
    /// expects `check` to name exactly `drifted`, applies again and expects a clean check.
    func convergeCycle(_ lab: RunningLab, _ playbook: HostPlaybook, handChange: String, drifted: [String],
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let applied = Engine.run(try targets(lab, playbook), options: .init(mode: .apply, connectors: .standard))
        #expect(applied[0].changed.map(\.id) == playbook.resources.map(\.id), "\(applied[0].resources)", sourceLocation: sourceLocation)
        let second = Engine.run(try targets(lab, playbook), options: .init(mode: .apply, connectors: .standard))
        #expect(ExitStatus.of(second).code == 0 && second[0].resources.allSatisfy { $0.state == .inSync }, "\(second[0].resources)",
                sourceLocation: sourceLocation)
        let change = try ssh(lab, lab.nodes[0], handChange)
        #expect(change.status == 0, "hand change failed: \(change.stderr)", sourceLocation: sourceLocation)
        let check = Engine.run(try targets(lab, playbook), options: .init(mode: .check, connectors: .standard))
        #expect(ExitStatus.of(check).code == 2, sourceLocation: sourceLocation)
        #expect(check[0].drifted.map(\.id) == drifted, "\(check[0].resources)", sourceLocation: sourceLocation)
        let repair = Engine.run(try targets(lab, playbook), options: .init(mode: .apply, connectors: .standard))
        #expect(repair[0].changed.map(\.id) == drifted, sourceLocation: sourceLocation)
        #expect(ExitStatus.of(Engine.run(try targets(lab, playbook), options: .init(mode: .check, connectors: .standard))).code == 0, sourceLocation: sourceLocation)
    }

    @Test("template, sysctl (persisted; /proc/sys is read-only in the lab), kernel module and a 300 KB file: converge, no-op, drift, repair")
    func filesTemplatesSysctlModules() throws {
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        let host = try #require(try targets(lab, HostPlaybook(resources: [], handlers: [])).first?.host)
        let template = try TextTemplate("# {{fqdn}}\nservers:{{#time_servers}} {{.}}{{/time_servers}}\n", path: "chrony.mustache")
        let big = String(repeating: "0123456789abcdef\n", count: 18_000)  // beyond one command line's limit
        let playbook = HostPlaybook(resources: [
            TemplateResource("/etc/provision-template.conf", template: template, for: host),
            SysctlResource("vm.swappiness", "10"),  // the node's probe finds /proc/sys read-only: the file alone
            KernelModuleResource("overlay", options: ["redirect_dir=off"]),
            FileResource("/var/tmp/provision-big", content: big, mode: "0600"),
        ], handlers: [])
        try convergeCycle(lab, playbook, handChange: """
            echo 'vm.swappiness = 60' > /etc/sysctl.d/60-provision-vm.swappiness.conf
            rm /etc/modprobe.d/provision-overlay.conf
            echo tampered >> /etc/provision-template.conf
            """, drifted: ["template:/etc/provision-template.conf", "sysctl:vm.swappiness", "kernel-module:overlay"])
        let node = lab.nodes[0]
        #expect(try ssh(lab, node, "cat /etc/provision-template.conf").stdout == "# lab-1.lab.provision.test\nservers: 127.0.0.1\n")
        #expect(try ssh(lab, node, "sha256sum < /var/tmp/provision-big | cut -c1-64").stdout == sha256Hex(big) + "\n")
        #expect(try ssh(lab, node, "cat /etc/modprobe.d/provision-overlay.conf /etc/modules-load.d/provision-overlay.conf").stdout
                == "# Managed by provision.\noptions overlay redirect_dir=off\n# Managed by provision.\noverlay\n")
    }

    @Test("package repository (apt): a deb822 source signed by Debian's keyring, its lists fetched at once; drift repaired")
    func aptRepository() throws {
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        let playbook = HostPlaybook(resources: [
            PackageRepositoryResource(apt: "backports", uris: ["http://deb.debian.org/debian"], suites: ["bookworm-backports"],
                                      components: ["main"], key: .keyring("/usr/share/keyrings/debian-archive-keyring.gpg")),
        ], handlers: [])
        try convergeCycle(lab, playbook, handChange: "sed -i 's/Components: main/Components: main contrib/' /etc/apt/sources.list.d/provision-backports.sources",
                          drifted: ["repository:backports"])
        let policy = try ssh(lab, lab.nodes[0], "apt-cache policy")
        #expect(policy.stdout.contains("bookworm-backports/main"), "apt knows the new source: \(policy.stdout)")
    }

    @Test("a non-root login converges through sudo -n; a user without passwordless sudo is refused with sudo's reason")
    func sudoForNonRootUsers() throws {
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        let publicKey = try String(contentsOfFile: lab.lab.keyFile + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let setup = HostPlaybook(resources: [
            PackageResource("sudo"),
            UserResource("deployer", authorizedKeys: [publicKey]),
            UserResource("visitor", authorizedKeys: [publicKey]),
            FileResource("/etc/sudoers.d/deployer", content: "deployer ALL=(ALL) NOPASSWD: ALL\n", mode: "0440"),
        ], handlers: [])
        #expect(ExitStatus.of(Engine.run(try targets(lab, setup), options: .init(mode: .apply, connectors: .standard))).code == 2)

        func logins(as user: String, _ playbook: HostPlaybook) throws -> [Engine.Target] {
            try targets(lab, playbook).map { target in
                var target = target
                target.host.ssh.user = user
                return target
            }
        }
        let playbook = HostPlaybook(resources: [FileResource("/etc/provision-by-sudo", content: "root wrote this\n", mode: "0600")], handlers: [])
        // A new user's first login starts its systemd user instance: allow for a slow first connect.
        let options = Engine.Options(mode: .apply, connectors: .standard, connectTimeout: .seconds(60))
        let applied = Engine.run(try logins(as: "deployer", playbook), options: options)
        #expect(applied[0].changed.map(\.id) == ["file:/etc/provision-by-sudo"], "\(applied[0])")
        #expect(try ssh(lab, lab.nodes[0], "stat -c '%U %a' /etc/provision-by-sudo").stdout == "root 600\n")
        #expect(ExitStatus.of(Engine.run(try logins(as: "deployer", playbook), options: options)).code == 0)

        for mode in [Engine.Mode.check, .apply] {
            let refused = Engine.run(try logins(as: "visitor", playbook), options: .init(mode: mode, connectors: .standard, connectTimeout: .seconds(60)))
            #expect(ExitStatus.of(refused).code == 4)
            let reason = try #require(refused[0].unreachable)
            // apply, too, reads the host before anything else (and would take its lock only then).
            #expect(reason.contains("the probe script did not run") && reason.contains("sudo: a password is required"), "\(reason)")
        }
    }

    @Test("ssh-agent authentication: the agent's key logs in; an agent without keys is refused with what was tried")
    func agentAuthentication() throws {
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        let socket = "\(lab.directory.path)/agent.sock"
        let agent = try ChildProcess("ssh-agent", ["-D", "-a", socket], outputFile: "\(lab.directory.path)/agent.log")
        defer { agent.stop() }
        for _ in 0..<50 where !FileManager.default.fileExists(atPath: socket) { usleep(100_000) }
        var options = lab.options(lab.nodes[0])
        options.identities = [.agent(socket: socket)]
        let empty = #expect(throws: ConnectionError.self) { try SSHConnection(options) }
        #expect(empty?.kind == .authentication)
        #expect(empty?.message.contains("ssh-agent (it holds no keys)") == true, "\(String(describing: empty))")

        let added = try run("ssh-add", [lab.lab.keyFile], environment: ["SSH_AUTH_SOCK": socket])
        #expect(added.status == 0, "\(added.output)")
        let connection = try SSHConnection(options)
        #expect(try connection.execute("id -un").stdout == "root\n")
    }
}

extension LabSSHTests {
    @Test("secret vars: read from the environment into a template on the host, never in plan, diff, JSON or error output; unset is refused before any host is contacted")
    func secretVars() throws {
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        let directory = lab.directory.path
        try "interface {{address}}\npassword {{db_password}}\n".write(toFile: "\(directory)/db.conf.mustache", atomically: true, encoding: .utf8)
        try """
            role: dbclient
            resources:
              - template: /etc/provision-db.conf
                source: db.conf.mustache
                mode: "0600"
              - command: cat /etc/provision-db.conf >&2; exit 3
            """.write(toFile: "\(directory)/dbclient.yml", atomically: true, encoding: .utf8)
        try lab.writeInventory {
            $0.replacingOccurrences(of: "site:\n", with: "site:\n  playbooks: [dbclient.yml]\n")
                .replacingOccurrences(of: "roles: [base]", with: "roles: [dbclient]")
                .replacingOccurrences(of: "vars: {", with: "vars: {db_password: {secret_env: DB_PASSWORD_FOR_TEST}, ")
        }
        let secret = "s3cr3t-Horse-Battery"
        func provision(_ arguments: [String], environment: [String: String] = ["DB_PASSWORD_FOR_TEST": secret]) throws -> (status: Int32, output: String) {
            try lab.provision(arguments, environment: environment)
        }
        let unset = try provision(["plan"], environment: [:])
        #expect(unset.status == 64, "\(unset.output)")
        #expect(unset.output.contains("host lab-1, var 'db_password': environment variable DB_PASSWORD_FOR_TEST is not set"))

        for arguments in [["plan", "--diff"], ["apply", "--diff"], ["check", "--json"], ["apply", "--json"]] {
            let result = try provision(arguments)
            #expect([0, 1, 2, 3].contains(result.status), "\(arguments): \(result.output)")
            #expect(!result.output.contains(secret), "\(arguments) printed the secret: \(result.output)")
        }
        let applied = try provision(["apply"])
        #expect(applied.output.contains("FAILED: exit 3: interface 127.0.0.11 | password ********\n"),
                "the failing command's stderr is shown, masked: \(applied.output)")
        #expect(try ssh(lab, lab.nodes[0], "cat /etc/provision-db.conf").stdout == "interface 127.0.0.11\npassword \(secret)\n")
    }
}

extension LabSSHTests {
    @Test("directory, service, command, group and line in file: converge, no-op, hand changes found by check, repaired")
    func directoryServiceCommandGroupLine() throws {
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        let playbook = HostPlaybook(resources: [
            DirectoryResource("/srv/cycle", mode: "0750"),
            FileResource("/etc/systemd/system/provision-cycle.service", content: """
                [Unit]
                Description=provision lab test service
                [Service]
                ExecStart=/bin/sleep infinity
                [Install]
                WantedBy=multi-user.target

                """),
            ServiceResource("provision-cycle"),
            CommandResource("touch /var/lib/cycle-done", creates: "/var/lib/cycle-done"),
            GroupResource("cycle", gid: 2901),
            LineInFileResource("/etc/hosts", line: "127.0.0.2 cycle.example"),
        ], handlers: [])
        try convergeCycle(lab, playbook, handChange: """
            chmod 755 /srv/cycle
            systemctl disable --now provision-cycle
            rm /var/lib/cycle-done
            groupmod -g 2902 cycle
            sed -i '/cycle.example/d' /etc/hosts
            """, drifted: ["directory:/srv/cycle", "service:provision-cycle", "command:touch /var/lib/cycle-done", "group:cycle",
                           "line:/etc/hosts: 127.0.0.2 cycle.example"])
        #expect(try ssh(lab, lab.nodes[0], "systemctl is-enabled provision-cycle; systemctl is-active provision-cycle").stdout == "enabled\nactive\n")
    }
}
