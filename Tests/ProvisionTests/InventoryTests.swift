import Foundation
import Testing
@testable import Provision
import ProvisionSSH

@Suite("Inventory", .tags(.small))
struct InventoryTests {
    @Test("the example two-rack site loads: 12 hosts, every OS family, BIOS and UEFI")
    func exampleLoads() throws {
        let inventory = try loadExample()
        #expect(inventory.hosts.count == 12)
        #expect(Set(inventory.hosts.map(\.os.family)) == [.debian, .ubuntu, .rocky])
        #expect(Set(inventory.hosts.map(\.firmware)) == [.bios, .uefi])
        #expect(inventory.site.installServer == "http://10.20.0.5:8080")
        #expect(inventory.hosts.map(\.name) == inventory.hosts.map(\.name).sorted())
    }

    @Test("the inventory/example.yml the README shows is valid")
    func shippedExampleLoads() throws {
        let shipped = try InventoryLoader.load(path: "\(Fixtures.repository)/inventory/example.yml")
        #expect(!shipped.hosts.isEmpty)
    }

    @Test("precedence: host beats groups, the first listed group beats later ones, groups beat defaults")
    func precedence() throws {
        let inventory = try loadExample()
        // kvm-b04 is in [hypervisors, rack-b, rocky, legacy-bios]: hypervisors sets raid1 nvme disks,
        // legacy-bios sets /dev/sda plain; hypervisors is listed first, so it wins.
        let b04 = try #require(inventory.host(named: "kvm-b04"))
        #expect(b04.disk.devices == ["/dev/nvme0n1", "/dev/nvme1n1"])
        #expect(b04.disk.raid1)
        #expect(b04.firmware == .bios)                      // only legacy-bios sets it: beats defaults (uefi)
        #expect(b04.os.family == .rocky)                    // group beats defaults
        #expect(b04.network.gateway == IPv4Address("10.20.2.1"))
        // img-b01 sets its own disk and roles: host beats groups and defaults.
        let img = try #require(inventory.host(named: "img-b01"))
        #expect(img.disk.devices == ["/dev/sda", "/dev/sdb"])
        #expect(img.roles == ["base", "imagelib"])
        // Mappings merge key by key: the host's vars add to the group's.
        #expect(img.vars["rack"] == .string("b"))
        #expect(img.vars["image_cache_dir"] == .string("/srv/images"))
        // Defaults fill what nobody else sets.
        #expect(img.timezone == "Europe/Berlin")
        #expect(img.network.dns.map(\.description) == ["10.20.0.53", "10.20.0.54"])
    }

    @Test("a host's network: bond, VLAN and bridge, the address on the bridge, the boot NIC")
    func bondVlanBridge() throws {
        let host = try #require(try loadExample().host(named: "kvm-a01"))
        #expect(host.bootNIC.name == "eno1")
        #expect(host.bootNIC.mac.description == "3c:ec:ef:10:a0:01")
        #expect(host.network.interface == "br-mgmt")
        #expect(host.network.bonds == [Bond(name: "bond0", interfaces: ["eno1", "eno2"], mode: "802.3ad")])
        #expect(host.network.vlans == [VLAN(name: "bond0.120", id: 120, link: "bond0")])
        #expect(host.network.bridges == [Bridge(name: "br-mgmt", interfaces: ["bond0.120"])])
        #expect(host.network.netmask.description == "255.255.255.0")
        #expect(host.bmc?.password == Secret(.environment("BMC_PASSWORD")))
    }

    @Test("protected and BMC by file reference")
    func protectedAndBMC() throws {
        let inventory = try loadExample()
        #expect(inventory.hosts.filter(\.isProtected).map(\.name) == ["kvm-a06"])
        #expect(inventory.host(named: "kvm-a05")?.bmc == BMC(kind: .ipmi, address: "10.20.9.15", username: "ADMIN", password: Secret(.file("/etc/provision/ipmi-a05"))))
    }

    @Test("a directory of files is one inventory; a host in two files is reported with both places")
    func directoryInventory() throws {
        let directory = Fixtures.path("inventories/split")
        let inventory = try InventoryLoader.load(path: directory)
        #expect(inventory.hosts.map(\.name) == ["node-1", "node-2"])

        let duplicate = Fixtures.path("inventories/duplicate-across-files")
        let error = try #require(throws: DiagnosticsError.self) { try InventoryLoader.load(path: duplicate) }
        let diagnostic = try #require(error.diagnostics.first)
        #expect(diagnostic.message == "host 'node-1' is defined twice")
        #expect(diagnostic.location?.file.hasSuffix("b.yml") == true)
        #expect(diagnostic.related.first?.location?.file.hasSuffix("a.yml") == true)
    }

    @Test("MAC and IPv4 parsing is strict")
    func addresses() {
        #expect(MACAddress("52:54:00:AB:cd:0f")?.description == "52:54:00:ab:cd:0f")
        #expect(MACAddress("52-54-00-ab-cd-0f")?.pxelinuxName == "01-52-54-00-ab-cd-0f")
        #expect(MACAddress("52:54:00:ab:cd") == nil)
        #expect(MACAddress("52:54:00:ab:cd:0g") == nil)
        #expect(IPv4Address("10.0.0.1")?.description == "10.0.0.1")
        #expect(IPv4Address("010.0.0.1") == nil)
        #expect(IPv4Address("10.0.0.256") == nil)
        #expect(IPv4Address("10.0.0.1/24") == nil)
        #expect(IPv4Address("255.255.255.0")?.value == 0xffff_ff00)
        #expect(IPv4Address("0.0.0.0")?.value == 0)
        for bad in ["10.0..1", "10.0.0.", "10.0.0.0.1", "+1.0.0.1", "10.0.0.1000", "10.0.0.٣", "10.0.0.１", " 10.0.0.1", ""] {
            #expect(IPv4Address(bad) == nil, "'\(bad)' is not an address")
        }
        #expect(IPv4Address("10.20.1.11")!.isInSubnet(of: IPv4Address("10.20.1.1")!, prefix: 24))
        #expect(!IPv4Address("10.20.2.11")!.isInSubnet(of: IPv4Address("10.20.1.1")!, prefix: 24))
    }

    @Test("console goes on the installer's command line (for Debian also after '---', for the installed system); ssh.address is where SSH connects")
    func consoleAndSSHAddress() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let text = try String(contentsOfFile: Fixtures.path("redfish-site.yml"), encoding: .utf8)
            .replacingOccurrences(of: "BMC_MAPPING", with: "{type: ipmi, address: 10.0.9.1, username: admin, password_env: X}")
            .replacingOccurrences(of: "    network: {address: 10.0.2.11}\n",
                                  with: "    network: {address: 10.0.2.11}\n    console: ttyS1,115200n8\n    ssh: {address: 127.0.0.1, port: 2222}\n")
        try text.write(toFile: "\(directory.path)/site.yml", atomically: true, encoding: .utf8)
        let inventory = try InventoryLoader.load(path: "\(directory.path)/site.yml")
        let host = try #require(inventory.host(named: "node-1"))
        let entry = BootEntry(host: host, site: inventory.site)
        #expect(Array(entry.arguments.suffix(3)) == ["console=ttyS1,115200n8", "---", "console=ttyS1,115200n8"])
        let ssh = SSHConnection.Options(for: host, environment: [:], home: directory.path)
        #expect(ssh.host == "127.0.0.1" && ssh.port == 2222)
        let plain = try #require(inventory.host(named: "node-3"))
        #expect(!BootEntry(host: plain, site: inventory.site).arguments.contains { $0.hasPrefix("console=") })
        #expect(SSHConnection.Options(for: plain, environment: [:], home: directory.path).host == "10.0.2.13")
    }

    @Test("connector: ssh unless said; local; a chroot directory by its absolute path, from the host or its defaults; SSH addresses may repeat among hosts not reached over SSH")
    func connectors() throws {
        let text = try String(contentsOfFile: Fixtures.path("redfish-site.yml"), encoding: .utf8)
            .replacingOccurrences(of: "BMC_MAPPING", with: "{type: ipmi, address: 10.0.9.1, username: admin, password_env: X}")
        func load(_ edit: (String) -> String) throws -> [String: ConnectorSetting] {
            let inventory = try InventoryLoader.load(files: [("site.yml", edit(text))])
            return Dictionary(uniqueKeysWithValues: inventory.hosts.map { ($0.name, $0.connector) })
        }
        #expect(try load { $0 }.values.allSatisfy { $0 == .ssh })
        let chosen = try load {
            $0.replacingOccurrences(of: "defaults:\n", with: "defaults:\n  connector: {chroot: /srv/images/base/}\n")
                .replacingOccurrences(of: "    network: {address: 10.0.2.11}\n", with: "    network: {address: 10.0.2.11}\n    connector: local\n")
                .replacingOccurrences(of: "    network: {address: 10.0.2.12}\n", with: "    network: {address: 10.0.2.12}\n    connector: ssh\n    ssh: {address: 127.0.0.1}\n")
                .replacingOccurrences(of: "    network: {address: 10.0.2.13}\n", with: "    network: {address: 10.0.2.13}\n    ssh: {address: 127.0.0.1}\n")
        }
        #expect(chosen["node-1"] == .local && chosen["node-2"] == .ssh && chosen["node-3"] == .chroot("/srv/images/base"))
    }

    @Test("a secret the defaults name is read once per run: every host gets what the first read found; a missing one names host and var")
    func secretsReadOncePerRun() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let secretFile = "\(directory.path)/db-password"
        try "first\n".write(toFile: secretFile, atomically: true, encoding: .utf8)
        let inventory = try InventoryLoader.load(files: [("site.yml", """
            site: {install_server: "http://127.0.0.1:8080"}
            defaults:
              domain: lab.example.net
              firmware: bios
              root_password_hash: "$6$provisionexample$vCnTTCSwt3plQ4.OMybupCCkWj15nOYaKO41LMwuI2f4UTqckMhRWmDzPy7hJ4NL.q0ZwW/nbRAPfEpgrj768."
              os: {family: debian, release: "12", mirror: http://deb.debian.org/debian}
              disk: {devices: [/dev/vda]}
              network: {prefix: 24, gateway: 10.0.2.2}
              vars: {db_password: {secret_file: \(secretFile)}, token: {secret_env: PROVISION_TEST_TOKEN}}
            hosts:
              node-1: {nics: [{name: eth0, mac: "52:54:00:00:00:01"}], network: {address: 10.0.2.11}}
              node-2: {nics: [{name: eth0, mac: "52:54:00:00:00:02"}], network: {address: 10.0.2.12}}
            """)])
        let reader = SecretReader(environment: ["PROVISION_TEST_TOKEN": "t0ken"])
        let first = try inventory.hosts[0].resolvingSecrets(by: reader)
        try "second\n".write(toFile: secretFile, atomically: true, encoding: .utf8)  // rewritten during the run
        let second = try inventory.hosts[1].resolvingSecrets(by: reader)
        #expect(Set(first.secretValues) == ["first", "t0ken"])
        #expect(Set(second.secretValues) == ["first", "t0ken"])
        #expect(Set(try inventory.hosts[1].resolvingSecrets(by: SecretReader(environment: ["PROVISION_TEST_TOKEN": "t0ken"])).secretValues) == ["second", "t0ken"],
                "the next run reads it anew")
        let missing = try #require(throws: SecretError.self) { try inventory.hosts[1].resolvingSecrets(by: SecretReader(environment: [:])) }
        #expect(missing.message == "host node-2, var 'token': environment variable PROVISION_TEST_TOKEN is not set (it holds a secret the inventory refers to)")
    }

    @Test("a secret that is empty, or a secret file that is a directory or missing, says which")
    func secretProblemsSaid() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        func problem(_ source: Secret.Source, environment: [String: String] = [:]) throws -> String {
            try #require(throws: SecretError.self) { try Secret(source).resolved(environment: environment) }.message
        }
        #expect(try problem(.environment("NOVA_PASSWORD"), environment: ["NOVA_PASSWORD": ""])
                == "environment variable NOVA_PASSWORD is set but empty (it holds a secret the inventory refers to)")
        #expect(try problem(.file(directory.path)) == "the secret file \(directory.path) is a directory, not a file")
        #expect(try problem(.file("\(directory.path)/nowhere")) == "the secret file \(directory.path)/nowhere does not exist")
        try "\n".write(toFile: "\(directory.path)/blank", atomically: true, encoding: .utf8)
        #expect(try problem(.file("\(directory.path)/blank")) == "the secret file \(directory.path)/blank is empty")
    }
}
