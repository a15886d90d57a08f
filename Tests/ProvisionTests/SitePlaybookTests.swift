import Foundation
import Playbooks
import Provision
import Testing

/// YAML site playbooks: they build the same resource values as the Swift initialisers, and
/// every mistake in them is reported in one run at its file, line and column.
@Suite("Site playbooks", .tags(.small))
struct SitePlaybookTests {
    static let badCases = ExpectedDiagnostics.corpus("bad-playbooks")

    /// What the engine uses of a resource: equal for two values means they converge alike.
    static func behaviour(of resource: any Resource) -> [String] {
        [resource.kind, resource.name, resource.probe.description, resource.fix, resource.notifies.joined(separator: ","),
         "\(resource.sensitive)", "\(resource.appliesWhenUnknown)", resource.desiredContent ?? "-"]
    }

    static func siteHost() throws -> Provision.Host {
        try #require(InventoryLoader.load(path: Fixtures.path("site-playbooks/site.yml")).host(named: "node-1"))
    }

    @Test("the example playbook builds the same resources and handlers as the Swift initialisers")
    func exampleBuildsSameValues() throws {
        let path = "\(Fixtures.repository)/inventory/playbooks/example-web.yml"
        let roles = try SitePlaybookLoader.load(files: [(path, try String(contentsOfFile: path, encoding: .utf8))])
        let role = try #require(roles["webfront"])
        let playbook = try role.build(try Self.siteHost())

        let expected: [any Resource] = [
            PackageResource("nginx"),
            FileResource("/etc/nginx/conf.d/site.conf", content: "server { listen 80; root /srv/www; }\n", mode: "0644",
                         owner: "root", group: "root", notifies: ["reload nginx"]),
            DirectoryResource("/srv/www", mode: "0755"),
            ServiceResource("nginx", enabled: true, running: true),
            LineInFileResource("/etc/default/nginx", line: "ULIMIT=\"-n 65536\"", match: "^ULIMIT=", notifies: ["restart nginx"]),
            CommandResource("/usr/local/bin/setup-www", creates: "/var/lib/setup-www.done"),
            GroupResource("deploy", gid: 2601),
            UserResource("deploy", shell: "/bin/bash", groups: ["deploy", "adm"],
                         authorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHq4Y6vKx0Jx7hXyUq1y1zKX3c9m0xEo3yA1u8Xf0m1a deploy@example.net"]),
            PackageResource("nano", .absent),
            PackageResource("curl", .version("7.88.1-10+deb12u5")),
        ]
        #expect(playbook.resources.map(Self.behaviour) == expected.map(Self.behaviour))
        #expect(playbook.handlers == [Handler(name: "reload nginx", command: "systemctl reload nginx"),
                                      Handler(name: "restart nginx", command: "systemctl restart nginx")])
    }

    @Test("per host: a template renders each host's vars, packages use the host's manager, and no var makes a lab of a host")
    func perHostResources() throws {
        let path = Fixtures.path("site-playbooks/hypervisor-bits.yml")
        let role = try #require(try SitePlaybookLoader.load(files: [(path, try String(contentsOfFile: path, encoding: .utf8))])["kvmbits"])
        var host = try Self.siteHost()
        host.vars["time_servers"] = .list([.string("10.0.0.1"), .string("10.0.0.2")])
        let template = try TextTemplate(contentsOf: Fixtures.path("site-playbooks/templates/chrony.conf.mustache"))
        let expected: [any Resource] = [
            TemplateResource("/etc/chrony/chrony.conf", template: template, for: host, notifies: ["restart chrony"]),
            SysctlResource("net.ipv4.ip_forward", "1"),
            KernelModuleResource("kvm_intel", options: ["nested=1"]),
            PackageResource("qemu-kvm"),
            PackageRepositoryResource(apt: "backports", uris: ["http://deb.debian.org/debian"], suites: ["bookworm-backports"],
                                      components: ["main"], key: .keyring("/usr/share/keyrings/debian-archive-keyring.gpg")),
            PackageRepositoryResource(dnf: "openstack", description: "OpenStack", baseURL: "https://mirror.example.net/openstack/",
                                      gpgKey: "file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-SIG-Cloud"),
        ]
        let built = try role.build(host).resources
        #expect(built.map(Self.behaviour) == expected.map(Self.behaviour))
        #expect(built[0].desiredContent == "# node-1.lab.example.net (10.0.2.11)\nserver 10.0.0.1 iburst\nserver 10.0.0.2 iburst\n")

        // The lab's hosts are told apart by what their probes find (a container, a read-only
        // /proc/sys), never by a var: the var the lab once wrote changes nothing.
        host.vars["lab"] = .string("true")
        #expect(try role.build(host).resources.map(Self.behaviour) == expected.map(Self.behaviour))
        host.os.family = .rocky
        let rocky = try role.build(host).resources
        #expect(Self.behaviour(of: rocky[3]) == Self.behaviour(of: PackageResource("qemu-kvm", manager: .dnf)))
    }

    @Test("settings left out keep the initialisers' defaults")
    func defaults() throws {
        let yaml = """
            role: minimal
            resources:
              - file: /etc/motd
                content: hi
              - directory: /srv
              - service: ssh
              - command: /bin/true
              - line_in_file: /etc/hosts
                line: 127.0.0.1 localhost
              - user: ops
              - group: ops
            """
        let role = try #require(try SitePlaybookLoader.load(files: [("minimal.yml", yaml)])["minimal"])
        let expected: [any Resource] = [FileResource("/etc/motd", content: "hi"), DirectoryResource("/srv"), ServiceResource("ssh"),
                                        CommandResource("/bin/true"), LineInFileResource("/etc/hosts", line: "127.0.0.1 localhost"),
                                        UserResource("ops"), GroupResource("ops")]
        #expect(try role.build(try Self.siteHost()).resources.map(Self.behaviour) == expected.map(Self.behaviour))
    }

    @Test("a host's playbook joins built-in and site roles; a handler both define runs once")
    func joinsBuiltInAndSiteRoles() throws {
        let inventory = try InventoryLoader.load(path: Fixtures.path("site-playbooks/site.yml"))
        #expect(inventory.site.playbooks.map(\.path) == [Fixtures.path("site-playbooks/web.yml")])
        let siteRoles = try SitePlaybookLoader.load(for: inventory)
        let host = try #require(inventory.host(named: "node-1"))
        let playbook = try Roles.playbook(for: host, siteRoles: siteRoles)
        let base = try #require(Roles.builtIn["base"]).build(host)
        let web = try #require(siteRoles["webfront"]).build(host)
        #expect(playbook.resources.map(\.id) == (base.resources + web.resources).map(\.id))
        #expect(playbook.handlers.map(\.name) == ["reload ssh", "restart journald", "restart timesyncd", "reload nginx"])

        let unknown = try #require(throws: Roles.UnknownRole.self) { try Roles.playbook(for: host) }
        #expect(unknown.description == "host 'node-1' has role 'webfront', which is not defined (defined: base, hypervisor, imagelib)")
    }

    @Test("every error is reported once, at its file, line and column, and nothing else", arguments: badCases)
    func badPlaybook(name: String) throws {
        let path = Fixtures.path("bad-playbooks/\(name)")
        try ExpectedDiagnostics.check(path, namingFiles: true) {
            _ = try SitePlaybookLoader.load(files: [(path, try String(contentsOfFile: path, encoding: .utf8))])
        }
    }

    /// A mistake of each kind the playbook reader checks, and part of the message that reports it.
    static let badKinds = [
        ("an empty playbook", "playbook is empty"), ("a built-in role's name", "is a built-in role"),
        ("an unknown resource type", "unknown resource type '"), ("an unknown key", "unknown key '"),
        ("a missing setting", " needs '"), ("a value of the wrong shape", "expected '"),
        ("an unquoted mode", "is unquoted, which YAML"), ("a YAML 1.1 boolean", "which YAML 1.1 reads as"),
        ("an undefined handler", "names handler '"), ("a template", "template syntax:"),
        ("YAML syntax", "YAML syntax:"), ("a duplicate key", "duplicate key '"),
        ("a regexp awk cannot read", "is not an extended regular expression"),
    ]

    @Test("the bad playbook corpus has a mistake of each kind the reader checks", arguments: badKinds)
    func corpusCovers(kind: String, message: String) throws {
        try ExpectedDiagnostics.expectCovered(kind, message: message, in: ["bad-playbooks"])
    }

    @Test("problems across playbook files and hosts' roles are reported together", arguments: ["broken-site.yml", "missing-playbook.yml"])
    func brokenSite(name: String) throws {
        let path = Fixtures.path("site-playbooks/\(name)")
        try ExpectedDiagnostics.check(path, namingFiles: true) {
            _ = try SitePlaybookLoader.load(for: try InventoryLoader.load(path: path))
        }
    }

    @Test("a clash with another playbook points at both; the printed form shows the line and a caret")
    func printedClash() throws {
        let path = Fixtures.path("site-playbooks/broken-site.yml")
        let error = try #require(throws: DiagnosticsError.self) { try SitePlaybookLoader.load(for: try InventoryLoader.load(path: path)) }
        let clash = try #require(error.diagnostics.first { $0.message.hasPrefix("role 'webfront' is defined by two") })
        #expect(clash.related.map(\.description) == ["\(Fixtures.path("site-playbooks/web.yml")):1:7: note: first defined here"])
        let lines = error.description.split(separator: "\n").map(String.init)
        let index = try #require(lines.firstIndex { $0.hasSuffix("web-again.yml:5:5: error: unknown key 'mdoe' in directory '/srv/www'; did you mean 'mode'?") })
        #expect(lines[index + 1] == "    mdoe: \"0755\"")
        #expect(lines[index + 2] == "    ^")
        #expect(lines.last == "5 errors")
    }
}
