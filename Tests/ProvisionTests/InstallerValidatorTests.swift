import Foundation
import Testing
@testable import Provision

/// The real tools that read what provision renders: if they reject a file, so would an installer.
@Suite("Rendered files pass the real validators", .tags(.medium))
struct InstallerValidatorTests {
    static func rendered() throws -> (directory: TemporaryDirectory, files: [NetbootRenderer.RenderedFile]) {
        let temporary = try TemporaryDirectory()
        // Arm nothing: install files are rendered for every host regardless.
        let renderer = NetbootRenderer(inventory: try loadExample(), templates: try TemplateSet())
        let files = renderer.renderTree(armed: [], tftpRoot: "\(temporary.path)/pxe/tftp")
        _ = try BootTreeWriter.write(files, to: "\(temporary.path)/pxe")
        return (temporary, files)
    }

    @Test("every preseed passes debconf-set-selections --checkonly")
    func preseeds() throws {
        let (temporary, files) = try Self.rendered()
        defer { temporary.remove() }
        let preseeds = files.filter { $0.path.hasSuffix("preseed.cfg") }
        #expect(preseeds.count == 8)
        for file in preseeds {
            let result = try run("debconf-set-selections", ["--checkonly", "\(temporary.path)/pxe/\(file.path)"])
            #expect(result.status == 0 && result.output.isEmpty, "\(file.path): \(result.output)")
        }
    }

    @Test("every kickstart passes pykickstart's ksvalidator for RHEL 9")
    func kickstarts() throws {
        let (temporary, files) = try Self.rendered()
        defer { temporary.remove() }
        let kickstarts = files.filter { $0.path.hasSuffix("ks.cfg") }
        #expect(kickstarts.count == 2)
        for file in kickstarts {
            let result = try run("ksvalidator", ["-v", "RHEL9", "\(temporary.path)/pxe/\(file.path)"])
            #expect(result.status == 0, "\(file.path): \(result.output)")
            #expect(!result.output.contains("Warning"), "\(file.path): \(result.output)")
        }
    }

    @Test("a kickstart for a bond, a VLAN on it (one line: kickstart takes one per device) and a bridge over that (kvm-a01's network, on Rocky) passes ksvalidator")
    func kickstartNetworkDevices() throws {
        var inventory = try loadExample()
        let rocky = try #require(inventory.host(named: "kvm-a04")).os
        let index = try #require(inventory.hosts.firstIndex { $0.name == "kvm-a01" })
        inventory.hosts[index].os = rocky
        let files = NetbootRenderer(inventory: inventory, templates: try TemplateSet()).hostFiles(for: inventory.hosts[index], armed: false)
        let kickstart = try #require(files.first { $0.path.hasSuffix("ks.cfg") }).content
        #expect(kickstart.contains("""
            network --device=bond0 --bondslaves=eno1,eno2 --bondopts=mode=802.3ad,miimon=100 --vlanid=120 --interfacename=bond0.120 --onboot=yes --noipv4 --noipv6
            network --device=br-mgmt --bridgeslaves=bond0.120 --onboot=yes --bootproto=static --ip=10.20.1.11 --netmask=255.255.255.0 --gateway=10.20.1.1
            """), "\(kickstart)")
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        try kickstart.write(toFile: "\(temporary.path)/ks.cfg", atomically: true, encoding: .utf8)
        let result = try run("ksvalidator", ["-v", "RHEL9", "\(temporary.path)/ks.cfg"])
        #expect(result.status == 0 && !result.output.contains("Warning"), "\(result.output)")
    }

    @Test("every Ubuntu user-data is #cloud-config YAML with autoinstall version 1")
    func autoinstall() throws {
        let (temporary, files) = try Self.rendered()
        defer { temporary.remove() }
        let userData = files.filter { $0.path.hasSuffix("user-data") }
        #expect(userData.count == 2)
        for file in userData {
            #expect(file.content.hasPrefix("#cloud-config\n"))
            let script = "import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); assert d['autoinstall']['version'] == 1, d"
            let result = try run("python3", ["-c", script, "\(temporary.path)/pxe/\(file.path)"])
            #expect(result.status == 0, "\(file.path): \(result.output)")
        }
    }

    @Test("every Ubuntu user-data's network passes netplan generate; a bonded, VLAN-tagged, bridged host gets the address on its bridge")
    func netplan() throws {
        var inventory = try loadExample()
        // kvm-a01 (bond0 of eno1+eno2, VLAN 120 on it, br-mgmt over that) as if it ran Ubuntu.
        let bonded = try #require(inventory.hosts.firstIndex { $0.name == "kvm-a01" })
        inventory.hosts[bonded].os = try #require(inventory.host(named: "kvm-a03")).os
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let renderer = NetbootRenderer(inventory: inventory, templates: try TemplateSet())
        let userData = renderer.renderTree(armed: [], tftpRoot: "\(temporary.path)/tftp").filter { $0.path.hasSuffix("user-data") }
        #expect(userData.count == 3)
        for file in userData {
            let root = "\(temporary.path)/\(file.path.replacingOccurrences(of: "/", with: "_"))"
            try FileManager.default.createDirectory(atPath: "\(root)/etc/netplan", withIntermediateDirectories: true)
            try file.content.write(toFile: "\(root)/user-data", atomically: true, encoding: .utf8)
            // The autoinstall network section, as the installed system's /etc/netplan file.
            let extract = """
                import sys, yaml
                network = yaml.safe_load(open(sys.argv[1]))['autoinstall']['network']
                yaml.safe_dump({'network': network}, open(sys.argv[2], 'w'))
                """
            let extracted = try run("python3", ["-c", extract, "\(root)/user-data", "\(root)/etc/netplan/50-provision.yaml"])
            #expect(extracted.status == 0, "\(file.path): \(extracted.output)")
            chmod("\(root)/etc/netplan/50-provision.yaml", 0o600)  // as the installer writes it; netplan warns otherwise
            let generated = try run("netplan", ["generate", "--root-dir", root])
            #expect(generated.status == 0 && generated.output.isEmpty, "\(file.path): \(generated.output)")
        }
        let networkd = "\(temporary.path)/install_kvm-a01_user-data/run/systemd/network"
        let bridge = try String(contentsOfFile: "\(networkd)/10-netplan-br-mgmt.network", encoding: .utf8)
        #expect(bridge.contains("Address=10.20.1.11/24") && bridge.contains("Gateway=10.20.1.1"), "\(bridge)")
        let vlan = try String(contentsOfFile: "\(networkd)/10-netplan-bond0.120.network", encoding: .utf8)
        #expect(vlan.contains("Bridge=br-mgmt"), "\(vlan)")
        #expect(try String(contentsOfFile: "\(networkd)/10-netplan-bond0.netdev", encoding: .utf8).contains("Mode=802.3ad"))
        #expect(try String(contentsOfFile: "\(networkd)/10-netplan-eno2.network", encoding: .utf8).contains("Bond=bond0"))
    }

    @Test("the dnsmasq config passes dnsmasq --test")
    func dnsmasq() throws {
        let (temporary, _) = try Self.rendered()
        defer { temporary.remove() }
        let result = try run("dnsmasq", ["--test", "-C", "\(temporary.path)/pxe/dnsmasq.conf"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("syntax check OK"))
    }
}
