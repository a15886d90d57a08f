import Foundation
import Testing
@testable import Provision
@testable import ProvisionLab

/// The whole network-install path with real parts: `provision` renders the tree and fills its
/// boot loaders from Debian's packages, `provision serve` runs on loopback, and qemu (TCG)
/// netboots diskless VMs through qemu's DHCP/TFTP from the rendered tree. The guests reach
/// nothing but the install server (qemu's `restrict=on`, see tests/e2e/qemu-netboot).
@Suite("qemu netboot end to end", .tags(.e2e), .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["PROVISION_E2E"] == "1", "set PROVISION_E2E=1 (scripts/test does)"))
struct NetbootEndToEndTests {
    static let bootTimeout = 420

    /// A workspace with a rendered tree, assets, two armed VMs' hosts and a running `provision serve`.
    final class Lab {
        let directory: TemporaryDirectory
        let port: Int
        var server: ChildProcess?
        var inventory: String { "\(directory.path)/inventory.yml" }
        var tree: String { "\(directory.path)/pxe" }
        var serveLog: String { "\(directory.path)/serve.log" }

        init() throws {
            directory = try TemporaryDirectory()
            port = try freeLoopbackPort()
            // The built-in qemu lab inventory (scripts/demo uses it too), on a free port.
            let lab = try String(contentsOfFile: "\(Fixtures.repository)/inventory/qemu-lab.yml", encoding: .utf8)
            try lab.replacingOccurrences(of: ":18080", with: ":\(port)").write(toFile: inventory, atomically: true, encoding: .utf8)
            for command in [["netboot", "render"], ["netboot", "assets"], ["install", "vm-bios", "vm-uefi"]] {
                let result = try provision(command)
                #expect(result.status == 0, "provision \(command.joined(separator: " ")): \(result.output)")
            }
            server = try ChildProcess(CommandLineTests.binary, ["serve", "--listen", "127.0.0.1:\(port)", "--tree", tree] + common, outputFile: serveLog)
            for _ in 0..<100 where !(try String(contentsOfFile: serveLog, encoding: .utf8)).contains("listening on") { usleep(100_000) }
        }

        var common: [String] { ["--inventory", inventory, "--state", "\(directory.path)/state.sqlite"] }

        func provision(_ arguments: [String]) throws -> (status: Int32, output: String) {
            try run(CommandLineTests.binary, arguments + common, environment: ["PROVISION_TREE": tree])
        }

        /// Boots a VM and waits until `until` (a regex) appears in `file`; returns the console log.
        func boot(firmware: String, mac: String, bootfile: String, until: String, in file: String? = nil, timeout: Int = NetbootEndToEndTests.bootTimeout) throws -> (matched: Bool, console: String) {
            let console = "\(directory.path)/console-\(mac.replacingOccurrences(of: ":", with: "")).log"
            let result = try run("\(Fixtures.repository)/tests/e2e/qemu-netboot", [
                "--firmware", firmware, "--mac", mac, "--tftp", "\(tree)/tftp", "--bootfile", bootfile,
                "--timeout", String(timeout), "--log", console, "--http-port", String(port), "--isolate",
                "--until", until, "--until-file", file ?? console,
            ])
            return (result.status == 0, (try? String(contentsOfFile: console, encoding: .utf8)) ?? result.output)
        }

        func phase(_ host: String) throws -> String {
            let status = try provision(["status", "--json"])
            let json = try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any]
            let hosts = json?["hosts"] as? [[String: Any]] ?? []
            return hosts.first { $0["host"] as? String == host }?["phase"] as? String ?? "missing"
        }

        func servedFiles() throws -> [String] {
            try String(contentsOfFile: serveLog, encoding: .utf8).split(separator: "\n")
                .compactMap { line in line.range(of: "served install file ").map { String(line[$0.upperBound...].split(separator: " ")[0]) } }
        }

        func stop() {
            server?.stop()
            directory.remove()
        }
    }

    struct ArmedVM: Sendable, CustomTestStringConvertible {
        var host: String, firmware: String, mac: String, bootfile: String, other: String
        var testDescription: String { "\(firmware): \(host)" }
    }

    @Test("an armed VM's installer fetches exactly its own preseed and status says installing: BIOS (pxelinux) and UEFI (OVMF → shim → GRUB)",
          arguments: [
              ArmedVM(host: "vm-bios", firmware: "bios", mac: "52:54:00:e2:e0:01", bootfile: BootTree.biosBootfile, other: "vm-uefi"),
              ArmedVM(host: "vm-uefi", firmware: "uefi", mac: "52:54:00:e2:e0:02", bootfile: BootTree.uefiBootfile, other: "vm-bios"),
          ])
    func armed(vm: ArmedVM) throws {
        let lab = try Lab()
        defer { lab.stop() }
        let boot = try lab.boot(firmware: vm.firmware, mac: vm.mac, bootfile: vm.bootfile,
                                until: "served install file \(vm.host)/preseed.cfg", in: lab.serveLog)
        #expect(boot.matched, "the \(vm.firmware) VM never fetched its preseed; console:\n\(boot.console.suffix(3000))")
        #expect(try lab.servedFiles() == ["\(vm.host)/preseed.cfg"])
        #expect(try lab.phase(vm.host) == "installing")
        #expect(try lab.phase(vm.other) == "armed")
    }

    @Test("a VM whose host is not armed gets the local-boot config and fetches nothing")
    func unarmed() throws {
        let lab = try Lab()
        defer { lab.stop() }
        let boot = try lab.boot(firmware: "bios", mac: "52:54:00:e2:e0:03", bootfile: BootTree.biosBootfile,
                                until: "No bootable device", timeout: 180)
        #expect(boot.matched, "the unarmed VM did not fall through to local boot; console:\n\(boot.console.suffix(3000))")
        #expect(try lab.servedFiles().isEmpty)
        #expect(try lab.phase("vm-stranger") == "ready")
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
func freeLoopbackPort() throws -> Int {
    let socket = try LoopbackSocket()
    defer { close(socket.fd) }
    return socket.port
}

/// A TCP socket bound to a free port on 127.0.0.1; the caller closes `fd`.
struct LoopbackSocket {
    let fd: Int32
    let port: Int

    init() throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = fd
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else {
            close(fd)
            throw FileError.system("cannot find a free port", errno)
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }
}
