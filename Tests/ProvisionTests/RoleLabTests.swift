import Foundation
import Testing
@testable import Provision
@testable import ProvisionLab

/// The built-in roles for the cloud on real lab nodes (`virt_type: qemu`; in a container, which their probes find).
extension LabSSHTests {
    @Test("hypervisor in a container: QEMU, libvirt and nova-compute really install, libvirtd answers, nova-compute runs isolated, nova.conf is what the vars say key by key with the secrets in it, a second apply changes nothing")
    func hypervisorRole() throws {
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        let transport = "rabbit://nova:Rabbit-Secret-1@127.0.0.1:5672/"
        let password = "Keystone-Secret-2"
        try lab.writeInventory {
            $0.replacingOccurrences(of: "roles: [base]", with: "roles: [hypervisor]")
                .replacingOccurrences(of: "vars: {", with: """
                    vars: {nova_transport_url: {secret_env: TEST_TRANSPORT_URL}, nova_password: {secret_env: TEST_NOVA_PASSWORD}, \
                    keystone_url: "http://127.0.0.1:5000/v3", region: LabOne, 
                    """)
        }
        let environment = ["TEST_TRANSPORT_URL": transport, "TEST_NOVA_PASSWORD": password]
        let missing = try lab.provision(["plan"], environment: ["TEST_TRANSPORT_URL": transport])
        #expect(missing.status == 64 && missing.output.contains("var 'nova_password': environment variable TEST_NOVA_PASSWORD is not set"), "\(missing.output)")

        let applied = try lab.provision(["apply", "--command-timeout", "1200"], environment: environment)
        #expect(applied.status == 2, "\(applied.output)")
        #expect(!applied.output.contains(password) && !applied.output.contains("Rabbit-Secret-1"))
        let node = lab.nodes[0]
        #expect(try ssh(lab, node, "systemctl is-active libvirtd.socket").stdout == "active\n")
        #expect(try ssh(lab, node, "virsh -c qemu:///system version >/dev/null && echo ok").stdout == "ok\n", "libvirtd answers")
        #expect(try ssh(lab, node, "systemctl is-active nova-compute").stdout == "active\n")
        #expect(try ssh(lab, node, "systemctl show -p PrivateNetwork nova-compute").stdout == "PrivateNetwork=yes\n")
        #expect(try ssh(lab, node, "stat -c '%a %U %G' /etc/nova/nova.conf").stdout == "640 root nova\n")

        // nova.conf, section by section and key by key, as nova's oslo.config reads it.
        let conf = try ssh(lab, node, "cat /etc/nova/nova.conf").stdout
        var sections: [String: [String: String]] = [:]
        var section = ""
        for line in conf.split(separator: "\n") where !line.hasPrefix("#") {
            if line.hasPrefix("[") { section = String(line.dropFirst().dropLast()); continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { sections[section, default: [:]][parts[0]] = parts[1] }
        }
        #expect(sections["DEFAULT"]?["transport_url"] == transport)
        #expect(sections["DEFAULT"]?["my_ip"] == node.address && sections["DEFAULT"]?["host"] == "\(node.name).lab.provision.test")
        #expect(sections["libvirt"] == ["virt_type": "qemu", "cpu_mode": "none"])
        #expect(sections["placement"]?["password"] == password && sections["placement"]?["region_name"] == "LabOne")
        #expect(sections["placement"]?["auth_url"] == "http://127.0.0.1:5000/v3" && sections["service_user"]?["username"] == "nova")
        #expect(sections["vnc"]?["server_proxyclient_address"] == node.address)

        let again = try lab.provision(["apply", "--json"], environment: environment)
        #expect(again.status == 0, "a second apply changes nothing: \(again.output.suffix(3000))")
        #expect(!again.output.contains(password))
    }

    @Test("imagelib: nginx serves the cache; an image is fetched and kept only with its pinned sha256, a wrong pin replaces nothing")
    func imageLibraryRole() throws {
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        // The "mirror": the controller's own loopback (lab nodes share its network).
        let served = "\(lab.directory.path)/mirror"
        try FileManager.default.createDirectory(atPath: served, withIntermediateDirectories: true)
        let image = String(repeating: "qcow2 test image\n", count: 4096)
        try image.write(toFile: "\(served)/test.img", atomically: true, encoding: .utf8)
        let port = try freeLoopbackPort()
        let mirror = try ChildProcess("python3", ["-m", "http.server", "--bind", "127.0.0.1", "--directory", served, String(port)],
                                      outputFile: "\(lab.directory.path)/mirror.log")
        defer { mirror.stop() }
        for _ in 0..<50 where !Lab.answers("127.0.0.1", port: port) { usleep(100_000) }
        func inventory(sha256: String) throws {
            try lab.writeInventory {
                $0.replacingOccurrences(of: "roles: [base]", with: "roles: [imagelib]")
                    .replacingOccurrences(of: "vars: {", with: "vars: {images: {test.img: {url: \"http://127.0.0.1:\(port)/test.img\", sha256: \(sha256)}}, ")
            }
        }
        try inventory(sha256: String(repeating: "0", count: 64))
        let wrong = try lab.provision(["apply"])
        #expect(wrong.status == 3, "\(wrong.output)")
        #expect(wrong.output.contains("sha256 is \(sha256Hex(image)), but \(String(repeating: "0", count: 64)) is pinned; nothing was replaced"), "\(wrong.output)")
        let node = lab.nodes[0]
        #expect(try ssh(lab, node, "ls -A /srv/images").stdout.isEmpty, "no file, not even a temporary one")

        try inventory(sha256: sha256Hex(image))
        #expect(try lab.provision(["apply"]).status == 2)
        let fetched = try run("curl", ["-fsS", "http://\(node.address):8080/test.img"])
        #expect(fetched.status == 0 && fetched.output == image, "nginx serves the cached image")
        #expect(try lab.provision(["apply"]).status == 0)
        _ = try ssh(lab, node, "echo corrupted >> /srv/images/test.img")
        let drift = try lab.provision(["check"])
        #expect(drift.status == 2 && drift.output.contains("download:/srv/images/test.img  drift: sha256"), "\(drift.output)")
    }
}

extension LabSSHTests {
    /// The lab's inventory with the hypervisor role, the vars it requires (for a run that stops
    /// before nova-compute would use them) and `vars` besides.
    func writeHypervisorInventory(_ lab: RunningLab, virtType: String = "qemu", vars: String = "") throws {
        try lab.writeInventory {
            $0.replacingOccurrences(of: "roles: [base]", with: "roles: [hypervisor]")
                .replacingOccurrences(of: "virt_type: qemu", with: "virt_type: \(virtType)")
                .replacingOccurrences(of: "vars: {", with: "vars: {\(vars)nova_transport_url: \"rabbit://n:p@127.0.0.1/\", nova_password: p, keystone_url: \"http://127.0.0.1:5000/v3\", ")
        }
    }

    @Test("hypervisor with virt_type kvm on a host without /dev/kvm (a lab node): apply fails at the hardware check with the reason and installs nothing")
    func hypervisorWithoutKVM() throws {
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        try writeHypervisorInventory(lab, virtType: "kvm")
        let check = try lab.provision(["check"])
        #expect(check.status == 2 && check.output.contains("requirement:kvm  drift:"), "\(check.output)")
        let apply = try lab.provision(["apply"])
        #expect(apply.status == 1, "\(apply.output)")
        #expect(apply.output.contains("requirement:kvm  FAILED: exit 1: this host cannot run KVM guests: set the host's var virt_type: qemu"), "\(apply.output)")
        #expect(apply.output.contains("package:qemu-system-x86  skipped"), "\(apply.output)")
        #expect(try ssh(lab, lab.nodes[0], "dpkg-query -W qemu-system-x86 >/dev/null 2>&1 && echo installed || echo absent").stdout == "absent\n")
    }
}

extension LabSSHTests {
    @Test("hypervisor with a cloud bridge on a container (a lab node): check names the requirement, apply fails there with the reason and installs nothing")
    func cloudBridgeInContainer() throws {
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        try writeHypervisorInventory(lab, vars: "cloud_bridge: {name: br-cloud, port: host0}, ")
        let reason = "cloud_bridge is not applied in a container: it may share its network with the machine it runs on"
        let check = try lab.provision(["check"])
        #expect(check.status == 2 && check.output.contains("requirement:no-container  drift: the host is a systemd-nspawn container: \(reason)"), "\(check.output)")
        let apply = try lab.provision(["apply"])
        #expect(apply.status == 1, "\(apply.output)")
        #expect(apply.output.contains("requirement:no-container  FAILED: exit 1: this host is a container: \(reason)"), "\(apply.output)")
        #expect(apply.output.contains("package:bridge-utils  skipped"), "\(apply.output)")
        #expect(try ssh(lab, lab.nodes[0], "ls /etc/network/interfaces.d/provision-br-cloud 2>/dev/null || echo absent").stdout == "absent\n")
    }
}
