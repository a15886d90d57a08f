import Foundation
import Testing
@testable import Playbooks
@testable import Provision
import ProvisionSSH

/// Resources' pure parts against recorded probe output, for the package manager the lab does
/// not have (dnf) and for what a probe should never be mistaken for.
@Suite("Resources: compare and fix", .tags(.small))
struct ResourceTests {
    @Test("dnf packages: rpm's answers compared, a pinned version installs (or downgrades) that version")
    func dnfPackage() {
        let qemu = PackageResource("qemu-kvm", .version("8.2.0-11.el9"), manager: .dnf)
        #expect(qemu.probe.contains("rpm -q --qf 'installed|%{VERSION}-%{RELEASE}\\n' 'qemu-kvm'"))
        #expect(qemu.compare(probed: "installed|8.2.0-11.el9") == .inSync)
        #expect(qemu.compare(probed: "installed|7.2.0-14.el9") == .change("7.2.0-14.el9 → 8.2.0-11.el9"))
        #expect(qemu.compare(probed: "not-installed|") == .change("install 8.2.0-11.el9"))
        #expect(qemu.fix == "dnf -q -y install 'qemu-kvm-8.2.0-11.el9' || dnf -q -y downgrade 'qemu-kvm-8.2.0-11.el9'")
        #expect(PackageResource("nano", .absent, manager: .dnf).fix == "dnf -q -y remove 'nano'")
        #expect(qemu.compare(probed: "package qemu-kvm is not installed") == .unknown("unexpected probe output: 'package qemu-kvm is not installed'"))
        #expect(PackageResource.Manager(.rocky) == .dnf && PackageResource.Manager(.ubuntu) == .apt)
    }

    @Test("dnf repository: one .repo file with gpgcheck on; its metadata fetched when it changes")
    func dnfRepository() {
        let repository = PackageRepositoryResource(dnf: "openstack", description: "OpenStack Caracal", baseURL: "https://mirror.example.net/openstack-caracal/",
                                                   gpgKey: "file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-SIG-Cloud")
        #expect(repository.files.files.map(\.path) == ["/etc/yum.repos.d/provision-openstack.repo"])
        #expect(repository.files.files[0].content.contains("[openstack]\nname=OpenStack Caracal\nbaseurl=https://mirror.example.net/openstack-caracal/\nenabled=1\ngpgcheck=1\n"))
        #expect(repository.fix.hasSuffix("dnf -q -y makecache --repo 'openstack'"))
        #expect(repository.compare(probed: "absent") == .change("/etc/yum.repos.d/provision-openstack.repo: create (210 bytes, mode 0644)"))
        #expect(repository.compare(probed: "absent\nabsent") == .unknown("expected 1 file probe lines, got 2"))
    }

    @Test("sysctl: multi-value settings compare whatever the whitespace; a garbled probe is unknown, never in sync")
    func sysctlCompare() {
        let resource = SysctlResource("net.ipv4.tcp_rmem", "4096  131072 6291456", directory: "/etc/sysctl.d")
        let fileLine = "present 644 root root " + sha256Hex("# Managed by provision.\nnet.ipv4.tcp_rmem = 4096 131072 6291456\n")
        #expect(resource.compare(probed: "live 4096\t131072\t6291456\n" + fileLine) == .inSync)
        #expect(resource.compare(probed: "live 4096\t87380\t6291456\n" + fileLine) == .change("live 4096 87380 6291456 → 4096 131072 6291456"))
        #expect(resource.compare(probed: "") == .unknown("unexpected probe output: ''"))
        #expect(resource.compare(probed: "Permission denied\n" + fileLine) == .unknown("unexpected probe output: 'Permission denied'"))
    }

    @Test("sysctl where /proc/sys is read-only: the file alone is compared and written, and the summary says the live value was not set and why")
    func sysctlReadOnly() {
        let resource = SysctlResource("vm.swappiness", "10")
        let fileLine = "present 644 root root " + sha256Hex("# Managed by provision.\nvm.swappiness = 10\n")
        #expect(resource.compare(probed: "read-only container systemd-nspawn\nabsent")
                == .change("/etc/sysctl.d/60-provision-vm.swappiness.conf: create (43 bytes, mode 0644); not set live: /proc/sys is read-only in a systemd-nspawn container"))
        #expect(resource.compare(probed: "read-only container none\nabsent")
                == .change("/etc/sysctl.d/60-provision-vm.swappiness.conf: create (43 bytes, mode 0644); not set live: /proc/sys is read-only"))
        #expect(resource.compare(probed: "read-only container systemd-nspawn\n" + fileLine) == .inSync)
        #expect(resource.compare(probed: "read-only\n" + fileLine) == .unknown("unexpected probe output: 'read-only'"))
        #expect(resource.fix.hasSuffix("if [ -w '/proc/sys/vm/swappiness' ]; then printf '%s\\n' '10' > '/proc/sys/vm/swappiness'; fi"))
    }

    @Test("a unit systemd does not run in containers: there, enabled is enough and the summary says why it stays stopped; elsewhere it must run")
    func serviceInContainer() {
        let timesyncd = ServiceResource("systemd-timesyncd", runsInContainers: false)
        #expect(timesyncd.probe.contains("systemd-detect-virt --container"))
        #expect(timesyncd.compare(probed: "enabled inactive\ncontainer systemd-nspawn") == .inSync)
        #expect(timesyncd.compare(probed: "not-found inactive\ncontainer systemd-nspawn")
                == .change("enable (is not installed yet), not started: systemd does not run systemd-timesyncd in a systemd-nspawn container"))
        #expect(timesyncd.compare(probed: "enabled inactive\ncontainer none") == .change("start (is inactive)"))
        #expect(timesyncd.compare(probed: "enabled inactive") == .unknown("unexpected probe output: 'enabled inactive'"))
        #expect(!ServiceResource("ssh").probe.contains("systemd-detect-virt"), "a unit that runs anywhere costs no fact")
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
