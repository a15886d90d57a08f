import Foundation
import Testing
@testable import Playbooks
@testable import Provision
import ProvisionSSH

/// Resources' pure parts against recorded probe output, for the package manager the lab does
/// not have (dnf) and for what a probe should never be mistaken for.
@Suite("Resources: compare and fix", .tags(.small))
struct ResourceTests {
    /// The corpus: one file per resource under `Fixtures/resources/`, as pyinfra keeps its
    /// operation tests (facts in, commands out). Each names a resource as a site playbook
    /// spells it, the host's OS family, the facts its probe reads, its fix (whole or its
    /// end), and probe outputs with what compare says of each.
    static let corpus = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.path("resources")))?
        .filter { $0.hasSuffix(".json") }.sorted() ?? []

    @Test("every resource type a site playbook can spell has cases in the corpus", .tags(.small))
    func corpusCoversEveryType() throws {
        var spelled = Set<String>()
        for file in Self.corpus {
            let data = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Fixtures.path("resources/\(file)")))) as? [String: Any])
            let spelling = try #require(data["resource"] as? String, "\(file)")
            guard case .mapping(let pairs, _)? = try SourceNode.parse(yaml: spelling, file: file), let first = pairs.first else {
                Issue.record("\(file): the resource is not a mapping that starts with its type")
                continue
            }
            spelled.insert(first.key.text)
        }
        #expect(Set(SiteResourceReader.Kind.allCases.map(\.rawValue)).subtracting(spelled).isEmpty, "types without corpus cases")
    }

    @Test("resources from the corpus: recorded probe output in, comparison and fix commands out", arguments: corpus)
    func corpusCase(file: String) throws {
        let path = Fixtures.path("resources/\(file)")
        let data = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let spelling = try #require(data["resource"] as? String)
        let node = try #require(try SourceNode.parse(yaml: spelling, file: path))
        let reader = NodeReader()
        let built = SiteResourceReader(reader: reader, handlers: [], directory: Fixtures.root).read(node)
        #expect(reader.diagnostics.isEmpty, "\(reader.diagnostics)")
        let build = try #require(built, "\(file): \(spelling)")
        var host = try #require(try loadExample().hosts.first)
        host.os.family = try #require(OperatingSystem.Family(rawValue: data["os"] as? String ?? ""), "os")
        let resource = build(host)
        if let probe = data["probe"] as? String { #expect(resource.probe.description == probe, "\(file)") }
        if let fix = data["fix"] as? String { #expect(resource.fix == fix, "\(file)") }
        if let suffix = data["fix_suffix"] as? String { #expect(resource.fix.hasSuffix(suffix), "fix of \(file):\n\(resource.fix)") }
        for item in data["cases"] as? [[String: Any]] ?? [] {
            let probed = try #require(item["probed"] as? String)
            let expected: Comparison = if let change = item["change"] as? String { .change(change) }
                else if let unknown = item["unknown"] as? String { .unknown(unknown) }
                else { .inSync }
            #expect(item["in_sync"] as? Bool == true || expected != .inSync, "\(file): a case says in_sync, change or unknown")
            #expect(resource.compare(probed: probed) == expected, "\(file): probed \(probed.debugDescription)")
        }
    }

    @Test("the package manager follows the host's OS family")
    func packageManager() {
        #expect(PackageResource.Manager(.rocky) == .dnf && PackageResource.Manager(.ubuntu) == .apt)
    }

    @Test("a unit systemd does not run in containers: there, enabled is enough and the summary says why it stays stopped; elsewhere it must run")
    func serviceInContainer() {
        let timesyncd = ServiceResource("systemd-timesyncd", runsInContainers: false)
        #expect(timesyncd.probe.description.contains("container"))
        #expect(timesyncd.compare(probed: "enabled inactive\ncontainer systemd-nspawn") == .inSync)
        #expect(timesyncd.compare(probed: "not-found inactive\ncontainer systemd-nspawn")
                == .change("enable (is not installed yet), not started: systemd does not run systemd-timesyncd in a systemd-nspawn container"))
        #expect(timesyncd.compare(probed: "enabled inactive\ncontainer none") == .change("start (is inactive)"))
        #expect(timesyncd.compare(probed: "enabled inactive") == .unknown("unexpected probe output: 'enabled inactive'"))
        #expect(!ServiceResource("ssh").probe.description.contains("container"), "a unit that runs anywhere costs no fact")
    }

    @Test("container-only resources and the no-container requirement follow the container fact")
    func containerFact() {
        let dropIn = ContainerOnlyResource(FileResource("/etc/systemd/system/x.service.d/50-provision-container.conf", content: "[Service]\n"))
        #expect(dropIn.compare(probed: "container none") == .inSync, "on a host that is no container there is nothing to do")
        #expect(dropIn.compare(probed: "container systemd-nspawn\nabsent")
                == .change("create (10 bytes, mode 0644) (the host is a systemd-nspawn container)"))
        #expect(dropIn.compare(probed: "garbled") == .unknown("unexpected probe output: 'garbled'"))
        let requirement = NoContainerRequirement("cloud_bridge is not applied in a container")
        #expect(requirement.compare(probed: "container none") == .inSync)
        #expect(requirement.compare(probed: "container lxc") == .change("the host is a lxc container: cloud_bridge is not applied in a container"))
    }

    @Test("without ssh.key: the agent first (when SSH_AUTH_SOCK is set), then OpenSSH's default key files that exist; with it, that key only")
    func identities() throws {
        // A home of the test's own, with two of OpenSSH's three default key files: the first
        // (id_ed25519) is missing, so both the filter and the order show.
        let home = try TemporaryDirectory()
        defer { home.remove() }
        try FileManager.default.createDirectory(atPath: "\(home.path)/.ssh", withIntermediateDirectories: true)
        for name in ["id_rsa", "id_ecdsa", "config"] { try AtomicFile.write("", to: "\(home.path)/.ssh/\(name)", mode: 0o600) }
        var host = try #require(try loadExample().hosts.first)
        host.ssh.key = nil
        let keyFiles: [SSHConnection.Identity] = [.keyFile("\(home.path)/.ssh/id_ecdsa"), .keyFile("\(home.path)/.ssh/id_rsa")]
        let agentFirst = SSHConnection.Options(for: host, environment: ["SSH_AUTH_SOCK": "/run/agent.sock"], home: home.path)
        #expect(agentFirst.identities == [.agent(socket: "/run/agent.sock")] + keyFiles)
        #expect(agentFirst.knownHosts == "\(home.path)/.ssh/known_hosts")
        #expect(SSHConnection.Options(for: host, environment: [:], home: home.path).identities == keyFiles)
        host.ssh.key = "/etc/provision/id_ed25519"
        #expect(SSHConnection.Options(for: host, environment: ["SSH_AUTH_SOCK": "/run/agent.sock"], home: home.path).identities == [.keyFile("/etc/provision/id_ed25519")])
    }
}
