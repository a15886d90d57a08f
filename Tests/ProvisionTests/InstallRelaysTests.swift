import Foundation
import Testing
@testable import Provision

/// `site.install_relays`: which addresses the install server takes a host's requests from.
@Suite("Install relays in the inventory", .tags(.small))
struct InstallRelaysTests {
    static func inventory(relays: String) -> String {
        """
        site:
          install_server: http://10.0.2.100:8080
        \(relays)
        defaults:
          domain: e2e.example.net
          firmware: bios
          root_password_hash: "$6$provisionexample$vCnTTCSwt3plQ4.OMybupCCkWj15nOYaKO41LMwuI2f4UTqckMhRWmDzPy7hJ4NL.q0ZwW/nbRAPfEpgrj768."
          os: {family: debian, release: "12", mirror: http://deb.debian.org/debian}
          disk: {devices: [/dev/vda], layout: plain}
          network: {prefix: 24, gateway: 10.0.2.2}
        hosts:
          vm-a:
            nics: [{name: ens3, mac: "52:54:00:e2:e0:01"}]
            network: {address: 10.0.2.15}
          vm-b:
            nics: [{name: ens3, mac: "52:54:00:e2:e0:02"}]
            network: {address: 10.0.3.15, gateway: 10.0.3.2}
        """
    }

    @Test("a relay lets the hosts of its network, and only those, reach the install server from its address")
    func relaysApplyToTheirNetwork() throws {
        let inventory = try InventoryLoader.load(files: [("site.yml", Self.inventory(relays: "  install_relays: [{network: 10.0.2.0/24, from: 127.0.0.1}]"))])
        #expect(inventory.site.installRelays == [InstallRelay(network: IPv4Address("10.0.2.0")!, prefix: 24, from: IPv4Address("127.0.0.1")!)])
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let lifecycle = InstallLifecycle(renderer: NetbootRenderer(inventory: inventory, templates: try TemplateSet()),
                                         store: try InstallStateStore(path: "\(directory.path)/state.sqlite"), tree: "\(directory.path)/pxe",
                                         homeDirectory: directory.path)
        #expect(lifecycle.installAddresses(of: try #require(inventory.host(named: "vm-a"))) == ["10.0.2.15", "127.0.0.1"])
        #expect(lifecycle.installAddresses(of: try #require(inventory.host(named: "vm-b"))) == ["10.0.3.15"])
    }

    @Test("a malformed relay is an error at its place, saying what is expected",
          arguments: [
              ("  install_relays: [{network: 10.0.2.0/24}]", 3, 20, "an install relay needs 'network'"),
              ("  install_relays: [{network: 10.0.2.0, from: 127.0.0.1}]", 3, 30, "must be an IPv4 network ADDRESS/PREFIX, e.g. 10.0.2.0/24; found '10.0.2.0'"),
              ("  install_relays: [{network: 10.0.2.0/33, from: 127.0.0.1}]", 3, 30, "found '10.0.2.0/33'"),
              ("  install_relays: [{network: 10.0.2.1/24, from: 127.0.0.1}]", 3, 30, "has host bits set; did you mean 10.0.2.0/24?"),
              ("  install_relays: [{network: 10.0.2.0/24, from: 127.0.0.0/8}]", 3, 49, "'from' must be one IPv4 address"),
              ("  install_relays: [{network: 10.0.2.0/24, from: 127.0.0.1, via: x}]", 3, 60, "unknown key 'via' in an install relay"),
              ("  install_relays: 127.0.0.1", 3, 19, "'install_relays'"),
          ])
    func malformed(relays: String, line: Int, column: Int, message: String) throws {
        let error = try #require(throws: DiagnosticsError.self) { try InventoryLoader.load(files: [("site.yml", Self.inventory(relays: relays))]) }
        #expect(error.diagnostics.count == 1, "\(error)")
        let diagnostic = try #require(error.diagnostics.first)
        #expect(diagnostic.message.contains(message), "\(diagnostic.message)")
        #expect(diagnostic.location?.line == line && diagnostic.location?.column == column, "\(String(describing: diagnostic.location))")
    }
}
