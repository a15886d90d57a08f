import Foundation
import Testing
@testable import Provision

/// dnsmasq with the rendered config answering a real DHCP client (busybox udhcpc) across a
/// veth pair between two network namespaces that the test creates and removes.
@Suite("DHCP exchange in a network namespace", .tags(.medium), .serialized, .enabled(if: getuid() == 0, "network namespaces need root"))
struct DHCPExchangeTests {
    final class Network {
        let id = "prov\(getpid() % 100_000)"
        let directory: TemporaryDirectory
        var dnsmasq: ChildProcess?
        let serverNamespace: TestNamespace
        let clientNamespace: TestNamespace
        var server: String { serverNamespace.name }
        var client: String { clientNamespace.name }

        init() throws {
            directory = try TemporaryDirectory()
            let inventory = try String(contentsOfFile: "\(Fixtures.repository)/inventory/qemu-lab.yml", encoding: .utf8)
            let renderer = NetbootRenderer(inventory: try InventoryLoader.load(files: [("qemu-lab.yml", inventory)]), templates: try TemplateSet())
            _ = try BootTreeWriter.write(renderer.renderTree(armed: [], tftpRoot: "\(directory.path)/pxe/tftp"), to: "\(directory.path)/pxe")
            serverNamespace = try TestNamespace("provs")
            clientNamespace = try TestNamespace("provc")
            try ip(["link", "add", "\(id)-s", "netns", server, "type", "veth", "peer", "name", "\(id)-c", "netns", client])
            try ip(["-n", server, "addr", "add", "10.0.2.2/24", "dev", "\(id)-s"])
            try ip(["-n", server, "link", "set", "\(id)-s", "up"])
            try ip(["-n", client, "link", "set", "\(id)-c", "up"])
            dnsmasq = try ChildProcess("ip", ["netns", "exec", server, try which("dnsmasq"), "--keep-in-foreground",
                                              "--conf-file=\(directory.path)/pxe/dnsmasq.conf", "--interface=\(id)-s", "--bind-interfaces",
                                              "--user=root", "--pid-file=\(directory.path)/dnsmasq.pid", "--dhcp-leasefile=\(directory.path)/leases",
                                              "--log-dhcp", "--log-facility=\(directory.path)/dnsmasq.log"],
                                       outputFile: "\(directory.path)/dnsmasq.out")
            usleep(300_000)
        }

        /// Runs udhcpc with `mac` and returns what it was offered (empty when nothing answered).
        func lease(mac: String, clientArch: String? = nil) throws -> [String: String] {
            try ip(["-n", client, "link", "set", "\(id)-c", "down"])
            try ip(["-n", client, "link", "set", "\(id)-c", "address", mac])
            try ip(["-n", client, "link", "set", "\(id)-c", "up"])
            let script = "\(directory.path)/udhcpc.sh"
            try "#!/bin/sh\n[ \"$1\" = bound ] && echo \"LEASE ip=$ip router=$router boot_file=$boot_file hostname=$hostname\"\nexit 0\n"
                .write(toFile: script, atomically: true, encoding: .utf8)
            chmod(script, 0o755)
            var arguments = ["netns", "exec", client, try which("busybox"), "udhcpc", "-i", "\(id)-c", "-n", "-q", "-f", "-t", "3", "-T", "1", "-A", "1", "-s", script]
            if let clientArch { arguments += ["-x", "0x5d:\(clientArch)"] }
            let result = try run("ip", arguments)
            guard let line = result.output.split(separator: "\n").first(where: { $0.hasPrefix("LEASE ") }) else { return [:] }
            return Dictionary(uniqueKeysWithValues: line.dropFirst(6).split(separator: " ").compactMap { pair -> (String, String)? in
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                return parts.count == 2 ? (parts[0], parts[1]) : (parts[0], "")
            })
        }

        func stop() {
            dnsmasq?.stop()
            serverNamespace.remove()
            clientNamespace.remove()
            directory.remove()
        }

        private func ip(_ arguments: [String]) throws {
            let result = try run("ip", arguments)
            if result.status != 0 { throw SetupFailure(message: "ip \(arguments.joined(separator: " ")): \(result.output)") }
        }
    }


    @Test("a known MAC gets its fixed address, router and the boot file of its firmware; an unknown one gets nothing")
    func exchange() throws {
        let network = try Network()
        defer { network.stop() }
        let bios = try network.lease(mac: "52:54:00:e2:e0:01")
        #expect(bios["ip"] == "10.0.2.15")
        #expect(bios["router"] == "10.0.2.2")
        #expect(bios["boot_file"] == "pxelinux.0")
        #expect(bios["hostname"] == "vm-bios")

        let uefi = try network.lease(mac: "52:54:00:e2:e0:02", clientArch: "0007")
        #expect(uefi["ip"] == "10.0.2.16")
        #expect(uefi["boot_file"] == "bootnetx64.efi")

        let stranger = try network.lease(mac: "52:54:00:99:99:99")
        #expect(stranger.isEmpty, "an unknown MAC was answered: \(stranger)")
    }
}
