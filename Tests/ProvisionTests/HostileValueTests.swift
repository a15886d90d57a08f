import Foundation
import Testing
@testable import Provision

/// Every inventory value that a template reads, given hostile text: each must be refused by
/// validation at its own file:line:column, or, where it is legal (a `'` in a key comment),
/// render so that the shell parts pass `sh -n` with the value only ever inside quotes, and
/// each installer's validator, `grub-script-check` and `dnsmasq --test` still pass.
/// Past validation too (hosts built directly), every value a template quotes gets hostile text,
/// so the `sh`/`yaml` transforms themselves are under test, not only the grammar in front.
/// Serialized: debconf-set-selections takes debconf's database lock even with --checkonly.
@Suite("Hostile inventory values", .tags(.medium), .serialized)
struct HostileValueTests {
    /// What an attacker or a slip of the keyboard puts into a field.
    static let hostile = ["'", "\"", ";reboot", "$(reboot)", "`reboot`", "\nreboot", " reboot", "..", "%", "#", "é", "\u{202E}", "😀", "' ;reboot #", String(repeating: "a", count: 300)]

    /// Each field a template reads, as a line of the inventory below: `@@` is where the value goes.
    /// The base value is legal; the corpus tries it with each hostile suffix and each alone.
    struct Field: CustomTestStringConvertible, Sendable {
        var name: String
        var base: String
        var testDescription: String { name }
    }

    static let fields: [Field] = [
        Field(name: "install_server", base: "http://127.0.0.1:9"), Field(name: "tftp_server", base: "127.0.0.1"),
        Field(name: "dhcp_interface", base: "eth0"), Field(name: "domain", base: "lab.example.net"),
        Field(name: "timezone", base: "Europe/Berlin"), Field(name: "locale", base: "en_US.UTF-8"),
        Field(name: "proxy", base: "http://10.0.2.8:3128"), Field(name: "console", base: "ttyS0,115200n8"),
        Field(name: "root_password_hash", base: validHash), Field(name: "authorized_keys", base: key),
        Field(name: "mirror", base: "http://deb.debian.org/debian"), Field(name: "release", base: "12"),
        Field(name: "family", base: "debian"), Field(name: "firmware", base: "uefi"), Field(name: "layout", base: "lvm"),
        Field(name: "device", base: "/dev/sda"), Field(name: "dns", base: "10.0.2.3"), Field(name: "gateway", base: "10.0.2.2"),
        Field(name: "bond", base: "bond0"), Field(name: "mode", base: "802.3ad"), Field(name: "vlan", base: "bond0.120"),
        Field(name: "bridge", base: "br0"), Field(name: "interface", base: "br0"), Field(name: "nic", base: "eno1"),
        Field(name: "mac", base: "52:54:00:00:00:01"), Field(name: "address", base: "10.0.2.11"), Field(name: "host", base: "node-d"),
        Field(name: "prefix", base: "24"), Field(name: "vlan_id", base: "120"),
    ]

    static let validHash = "$6$provisionexample$vCnTTCSwt3plQ4.OMybupCCkWj15nOYaKO41LMwuI2f4UTqckMhRWmDzPy7hJ4NL.q0ZwW/nbRAPfEpgrj768."
    static let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBRpEpm3gdopOcZrMmE044++qRtiPmQosZmDgqKU1sez ops@example.net"

    /// Three hosts, one per installer family, sharing the defaults: a value there reaches all.
    static func inventory(_ field: String, _ value: String) -> String {
        func v(_ name: String, _ base: String) -> String { YAMLString.quote(name == field ? value : base) }
        return """
            site:
              install_server: \(v("install_server", "http://127.0.0.1:9"))
              tftp_server: \(v("tftp_server", "127.0.0.1"))
              dhcp_interface: \(v("dhcp_interface", "eth0"))
            defaults:
              domain: \(v("domain", "lab.example.net"))
              firmware: \(v("firmware", "uefi"))
              timezone: \(v("timezone", "Europe/Berlin"))
              locale: \(v("locale", "en_US.UTF-8"))
              proxy: \(v("proxy", "http://10.0.2.8:3128"))
              console: \(v("console", "ttyS0,115200n8"))
              root_password_hash: \(v("root_password_hash", validHash))
              authorized_keys:
                - \(v("authorized_keys", key))
              disk:
                devices:
                  - \(v("device", "/dev/sda"))
                  - /dev/sdb
                layout: \(v("layout", "lvm"))
                raid1: true
              network:
                prefix: \(v("prefix", "24"))
                gateway: \(v("gateway", "10.0.2.2"))
                dns:
                  - \(v("dns", "10.0.2.3"))
            hosts:
              \(v("host", "node-d")):
                os: {family: \(v("family", "debian")), release: \(v("release", "12")), mirror: \(v("mirror", "http://deb.debian.org/debian"))}
                nics:
                  - {name: \(v("nic", "eno1")), mac: \(v("mac", "52:54:00:00:00:01")), boot: true}
                  - {name: eno2, mac: "52:54:00:00:00:02"}
                network:
                  address: \(v("address", "10.0.2.11"))
                  interface: \(v("interface", "br0"))
                  bonds:
                    - {name: \(v("bond", "bond0")), interfaces: [eno1, eno2], mode: \(v("mode", "802.3ad"))}
                  vlans:
                    - {name: \(v("vlan", "bond0.120")), id: \(v("vlan_id", "120")), link: bond0}
                  bridges:
                    - {name: \(v("bridge", "br0")), interfaces: [bond0.120]}
              node-u:
                os: {family: ubuntu, release: "24.04", mirror: http://archive.ubuntu.com/ubuntu}
                nics: [{name: eno1, mac: "52:54:00:00:00:11"}]
                network: {address: 10.0.2.12}
              node-r:
                os: {family: rocky, release: "9", mirror: http://dl.rockylinux.org/pub/rocky/9/BaseOS/x86_64/os}
                nics: [{name: eno1, mac: "52:54:00:00:00:21"}]
                network: {address: 10.0.2.13}

            """
    }

    /// Where the field's value starts in `inventory(field, value)`: the value is written quoted,
    /// on one line, so it is the first `"` after the field's key there.
    static func location(of field: String, in text: String, value: String) -> (line: Int, column: Int) {
        let quoted = YAMLString.quote(value)
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let range = line.range(of: quoted) { return (index + 1, line.distance(from: line.startIndex, to: range.lowerBound) + 1) }
        }
        return (0, 0)
    }

    @Test("the corpus's base inventory is valid, so every error below is the hostile value's")
    func baseIsValid() throws {
        _ = try InventoryLoader.load(files: [(path: "hostile.yml", text: Self.inventory("", ""))])
    }

    @Test("each hostile value is refused at its place, or renders safely in every installer family and boot loader", arguments: fields)
    func corpus(field: Field) throws {
        var accepted: [String] = []
        for suffix in Self.hostile {
            for value in [field.base + suffix, suffix] {
                let text = Self.inventory(field.name, value)
                do {
                    let inventory = try InventoryLoader.load(files: [(path: "hostile.yml", text: text)])
                    accepted.append(value)
                    try RenderedChecks.check(inventory, value: value)
                } catch let error as DiagnosticsError {
                    let place = Self.location(of: field.name, in: text, value: value)
                    #expect(error.diagnostics.contains { $0.location?.line == place.line && $0.location?.column == place.column },
                            "\(field.name) = \(value.debugDescription): no error at \(place.line):\(place.column); got \(error.diagnostics.map(\.message))")
                }
            }
        }
        // Free text is legal only in a key's comment; everything else has a grammar.
        if field.name == "authorized_keys" {
            #expect(accepted.contains(Self.key + "'") && accepted.contains(Self.key + "$(reboot)"), "\(accepted)")
        } else {
            for value in accepted {
                #expect(value.unicodeScalars.allSatisfy { $0.isASCII && !" '\"$`;\n#%".unicodeScalars.contains($0) },
                        "\(field.name) accepted \(value.debugDescription)")
            }
        }
    }

    @Test("the issue's examples are refused at their place")
    func issueExamples() throws {
        for (field, value) in [("device", "/dev/sdb;reboot"), ("locale", "en_US.UTF-8 rm -rf"), ("timezone", "Europe/Berlin$(reboot)"),
                               ("device", "/dev/../sda"), ("mac", "ff:ff:ff:ff:ff:ff"), ("mac", "01:00:5e:00:00:01"),
                               ("install_server", "http://127.0.0.1:0"), ("install_server", "http://127.0.0.1:99999"),
                               ("address", "10.0.2.0"), ("address", "10.0.2.255"), ("address", "10.0.2.2"), ("mode", "fast"),
                               ("timezone", "Mars/Olympus_Mons"), ("timezone", "../../etc/passwd"), ("nic", "eth0:1")] {
            let text = Self.inventory(field, value)
            let error = try #require(throws: DiagnosticsError.self, "\(field) = \(value)") {
                try InventoryLoader.load(files: [(path: "hostile.yml", text: text)])
            }
            let place = Self.location(of: field, in: text, value: value)
            let matching = error.diagnostics.filter { $0.location?.line == place.line }
            #expect(!matching.isEmpty, "\(field) = \(value): \(error.diagnostics.map(\.message))")
        }
    }

    @Test("time zones come from the controller's zoneinfo; without one, only the name's form is checked")
    func timeZones() {
        let system = TimeZoneNames()
        #expect(system.problem("Europe/Berlin") == nil && system.problem("Etc/UTC") == nil)
        #expect(system.problem("Europe") != nil, "a directory is no zone")
        #expect(system.problem("Mars/Olympus_Mons") != nil)
        let none = TimeZoneNames(directory: "/nonexistent/zoneinfo")
        #expect(none.problem("Mars/Olympus_Mons") == nil)
        #expect(none.problem("../../etc/passwd") != nil && none.problem("Europe/Berlin$(reboot)") != nil)
    }

    @Test("a key comment may hold any printable text; the blob must decode and name the key's type")
    func keyLines() {
        #expect(ValueGrammar.authorizedKey(Self.key.replacingOccurrences(of: "ops@example.net", with: "john's \"work\" laptop #2 ünïcode")) == nil)
        #expect(ValueGrammar.authorizedKey("ssh-rsa " + Self.key.split(separator: " ")[1]) != nil, "an ed25519 blob under the rsa type")
        #expect(ValueGrammar.authorizedKey("ssh-ed25519 AAAA") != nil)
        #expect(ValueGrammar.authorizedKey(Self.key + "\u{202E}") != nil)
    }

    @Test("a RAID1 of the same disk twice is refused at the second")
    func raidOfOneDisk() throws {
        let text = Self.inventory("device", "/dev/sdb")
        let error = try #require(throws: DiagnosticsError.self) { try InventoryLoader.load(files: [(path: "hostile.yml", text: text)]) }
        let twice = error.diagnostics.filter { $0.message == "disk '/dev/sdb' is listed twice in 'devices': a RAID1 mirrors two different disks" }
        #expect(twice.map { $0.location?.line } == [18], "\(error.diagnostics.map(\.message))")
    }

    @Test("host names that differ only in case are one name")
    func caseDuplicates() throws {
        let text = Self.inventory("", "").replacingOccurrences(of: "  node-u:", with: "  NODE-D:")
        let error = try #require(throws: DiagnosticsError.self) { try InventoryLoader.load(files: [(path: "hostile.yml", text: text)]) }
        #expect(error.diagnostics.map(\.message) == ["host 'NODE-D' differs from host 'node-d' only in case, and host names ignore case"])
    }

    /// Hostile text for the test below, which bypasses validation: the corpus's, less the line
    /// break (a preseed directive is one line, so no quoting carries one: validation refuses
    /// it), and plain YAML scalars that a parser reads as something else or not at all.
    static let unvalidated = hostile.filter { !$0.contains("\n") }
        + ["no", "1e3", "null", "~", "a: b", "#x", "[x]", "{x}", "*a", "&a", "!x", "|", "@x", "2024-01-01"]

    /// The corpus's hosts with `text` put straight into every value that templates quote
    /// wherever it lands, past validation: the value alone, or after its legal base (device
    /// names, which must stay apart, keep their base after the text). The Rocky host keeps its
    /// names, disks and domain: kickstart's `network` and disk commands take them unquoted.
    static func unvalidatedInventory(_ text: String, alone: Bool) throws -> Inventory {
        var inventory = try InventoryLoader.load(files: [(path: "hostile.yml", text: Self.inventory("", ""))])
        func value(_ base: String) -> String { alone ? text : base + text }
        func device(_ base: String) -> String { base == "eno1" ? value(base) : alone ? text + base : base + text }
        inventory.site.installServer = value(inventory.site.installServer)
        let debian = try #require(inventory.hosts.first { $0.os.family == .debian })
        let nics = debian.nics.map { NIC(name: device($0.name), mac: $0.mac, boot: $0.boot) }
        var network = debian.network
        network.interface = device(network.interface)
        network.bonds = network.bonds.map { Bond(name: device($0.name), interfaces: $0.interfaces.map(device), mode: value($0.mode)) }
        network.vlans = network.vlans.map { VLAN(name: device($0.name), id: $0.id, link: device($0.link)) }
        network.bridges = network.bridges.map { Bridge(name: device($0.name), interfaces: $0.interfaces.map(device)) }
        for index in inventory.hosts.indices {
            var host = inventory.hosts[index]
            host.authorizedKeys = [value(Self.key), text]
            host.locale = value(host.locale)
            host.timezone = value(host.timezone)
            host.proxy = host.proxy.map(value)
            host.rootPasswordHash = value(host.rootPasswordHash)
            host.os.mirror = value(host.os.mirror)
            if host.os.family != .rocky {
                host.name = value(host.name)
                host.domain = value(host.domain)
                host.nics = nics
                network.address = host.network.address
                host.network = network
                // Debian's RAID recipe takes the disks in its early_command; Ubuntu's RAID ids
                // take them unquoted, so there the one disk of the plain layout.
                host.disk.devices = host.os.family == .debian ? host.disk.devices.map(device) : [value("/dev/sda")]
                host.disk.raid1 = host.os.family == .debian
            }
            inventory.hosts[index] = host
        }
        return inventory
    }

    @Test("hostile text put past validation into every quoted value stays one shell word, one YAML value and one kickstart argument",
          arguments: unvalidated)
    func quotingWithoutValidation(text: String) throws {
        for alone in [false, true] {
            let inventory = try Self.unvalidatedInventory(text, alone: alone)
            let renderer = NetbootRenderer(inventory: inventory, templates: try TemplateSet())
            for host in inventory.hosts {
                let files = renderer.hostFiles(for: host, armed: true)
                try RenderedChecks.checkScripts(RenderedChecks.shellScripts(files), value: text)
                switch host.os.family.installer {
                case .autoinstall: try RenderedChecks.checkAutoinstall(files, host: host)
                case .kickstart: try RenderedChecks.checkKickstart(files, host: host)
                case .preseed: break
                }
                for file in renderer.bootFiles(for: host, armed: false) where file.path.hasSuffix("grub.cfg") {
                    let temporary = try TemporaryDirectory()
                    defer { temporary.remove() }
                    try file.content.write(toFile: "\(temporary.path)/grub.cfg", atomically: true, encoding: .utf8)
                    let result = try run("grub-script-check", ["\(temporary.path)/grub.cfg"])
                    #expect(result.status == 0, "\(file.path): \(result.output)\n\(file.content)")
                    if text.contains("reboot") {
                        #expect(!RenderedChecks.outsideQuotes(file.content).contains("reboot"), "\(file.path):\n\(file.content)")
                    }
                }
            }
        }
    }

    @Test("john's laptop: a ' in a key comment gives a late_command, late-commands and %post that sh accepts and that write the exact key")
    func apostropheInKeyComment() throws {
        let line = Self.key.replacingOccurrences(of: "ops@example.net", with: "john's laptop")
        let inventory = try InventoryLoader.load(files: [(path: "hostile.yml", text: Self.inventory("authorized_keys", line))])
        let renderer = NetbootRenderer(inventory: inventory, templates: try TemplateSet())
        for host in inventory.hosts {
            let files = renderer.hostFiles(for: host, armed: true)
            for script in try RenderedChecks.shellScripts(files) {
                try RenderedChecks.syntaxCheck(script.text, name: "\(host.name) \(script.name)")
                let written = try RenderedChecks.runWritingKeys(script.text)
                if script.writesKeys { #expect(written == line + "\n", "\(host.name) \(script.name) wrote \(written.debugDescription)") }
            }
        }
    }
}

/// What the corpus checks on each rendered tree: the real validators, `sh -n` on every shell
/// part, and that the hostile value only ever sits inside single quotes (or a quoted heredoc).
enum RenderedChecks {
    struct Script {
        var name: String
        var text: String
        /// Writes root's authorized_keys (under /target or /root).
        var writesKeys: Bool
    }

    static func check(_ inventory: Inventory, value: String) throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let renderer = NetbootRenderer(inventory: inventory, templates: try TemplateSet())
        let files = renderer.renderTree(armed: Set(inventory.hosts.map(\.name)), tftpRoot: "\(temporary.path)/tftp")
        _ = try BootTreeWriter.write(files, to: temporary.path)
        for file in files {
            let path = "\(temporary.path)/\(file.path)"
            switch file.path {
            case let name where name.hasSuffix("preseed.cfg"):
                let result = try run("debconf-set-selections", ["--checkonly", path])
                #expect(result.status == 0 && result.output.isEmpty, "\(value.debugDescription): \(result.output)")
            case let name where name.hasSuffix("ks.cfg"):
                let result = try run("ksvalidator", ["-v", "RHEL9", path])
                #expect(result.status == 0 && !result.output.contains("Warning"), "\(value.debugDescription): \(result.output)")
            case let name where name.contains("/grub/grub.cfg"):
                let result = try run("grub-script-check", [path])
                #expect(result.status == 0, "\(value.debugDescription): \(file.path): \(result.output)")
            case "dnsmasq.conf":
                let result = try run("dnsmasq", ["--test", "-C", path])
                #expect(result.status == 0, "\(value.debugDescription): \(result.output)")
            default: break
            }
        }
        for host in inventory.hosts {
            // A kernel command line cannot be quoted: no argument may hold whitespace, quotes, $ or controls.
            for argument in BootEntry(host: host, site: inventory.site).arguments {
                #expect(!argument.unicodeScalars.contains { " \t'\"$`\\".unicodeScalars.contains($0) || $0.value < 0x20 }, "\(argument.debugDescription)")
            }
        }
        for host in inventory.hosts where host.os.family.installer == .autoinstall {
            try checkAutoinstall(files, host: host)
        }
        try checkScripts(shellScripts(files), value: value)
    }

    /// `sh -n` on each script, and the value's `reboot` nowhere sh would run it.
    static func checkScripts(_ scripts: [Script], value: String) throws {
        for script in scripts {
            try syntaxCheck(script.text, name: script.name)
            if value.contains("reboot") {
                #expect(!outsideQuotes(script.text).contains("reboot"), "\(script.name): \(value.debugDescription) is outside quotes in:\n\(script.text)")
            }
        }
    }

    /// What subiquity and cloud-init read from a host's user-data and meta-data: each value is
    /// the host's own, not cut at a `#`, nor read as a boolean, a number, a date or null.
    static func checkAutoinstall(_ files: [NetbootRenderer.RenderedFile], host: Provision.Host) throws {
        let directory = BootTree.installDirectory(host: host.name)
        let userData = try #require(files.first { $0.path == "\(directory)/user-data" }).content
        let metaData = try #require(files.first { $0.path == "\(directory)/meta-data" }).content
        let meta = try loadYAML(metaData) as? [String: Any]
        #expect(meta?["instance-id"] as? String == host.name && meta?["local-hostname"] as? String == host.name, "meta-data:\n\(metaData)")
        let autoinstall = try #require((try loadYAML(userData) as? [String: Any])?["autoinstall"] as? [String: Any], "user-data:\n\(userData)")
        func map(_ node: Any?, _ key: String) -> [String: Any] { (node as? [String: Any])?[key] as? [String: Any] ?? [:] }
        let ssh = map(autoinstall, "ssh"), firstBoot = map(autoinstall, "user-data"), network = map(autoinstall, "network")
        let mirror = (map(autoinstall, "apt")["primary"] as? [[String: Any]])?.first?["uri"] as? String
        let disks = host.disk.raid1
            ? (map(autoinstall, "storage")["config"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "disk" }.map { $0["path"] as? String }
            : [map(map(map(autoinstall, "storage"), "layout"), "match")["path"] as? String]
        let root = (firstBoot["users"] as? [[String: Any]])?.first?["hashed_passwd"] as? String
        #expect(autoinstall["locale"] as? String == host.locale, "locale in:\n\(userData)")
        #expect(autoinstall["timezone"] as? String == host.timezone, "timezone in:\n\(userData)")
        #expect(autoinstall["proxy"] as? String == host.proxy, "proxy in:\n\(userData)")
        #expect(mirror == host.os.mirror, "mirror in:\n\(userData)")
        #expect(disks == host.disk.devices, "disks in:\n\(userData)")
        #expect(ssh["authorized-keys"] as? [String] == host.authorizedKeys, "authorized-keys in:\n\(userData)")
        #expect(firstBoot["hostname"] as? String == host.name && firstBoot["fqdn"] as? String == host.fqdn, "hostname in:\n\(userData)")
        #expect(root == host.rootPasswordHash, "hashed_passwd in:\n\(userData)")
        // The installed network: every device under the inventory's name, joined as there.
        let ethernets = map(network, "ethernets"), bonds = map(network, "bonds"), vlans = map(network, "vlans"), bridges = map(network, "bridges")
        func field(_ devices: [String: Any], _ path: String...) -> [String: String] {
            devices.mapValues { device in
                let leaf = path.dropLast().reduce(device) { node, key in map(node, key) }
                let value = (leaf as? [String: Any])?[path.last!]
                return (value as? [String])?.joined(separator: " ") ?? value as? String ?? "\(value ?? "nothing")"
            }
        }
        func expected<Device>(_ devices: [Device], _ name: KeyPath<Device, String>, _ value: (Device) -> String) -> [String: String] {
            Dictionary(devices.map { ($0[keyPath: name], value($0)) }) { first, _ in first }
        }
        let nicNames = Set(host.nics.map(\.name))
        #expect(Set(ethernets.keys).isSubset(of: nicNames) && field(ethernets, "set-name").allSatisfy { $0 == $1 }, "ethernets in:\n\(userData)")
        #expect(field(bonds, "interfaces") == expected(host.network.bonds, \.name) { $0.interfaces.joined(separator: " ") }, "bonds in:\n\(userData)")
        #expect(field(bonds, "parameters", "mode") == expected(host.network.bonds, \.name, \.mode), "bond modes in:\n\(userData)")
        #expect(field(vlans, "link") == expected(host.network.vlans, \.name, \.link), "vlans in:\n\(userData)")
        #expect(field(bridges, "interfaces") == expected(host.network.bridges, \.name) { $0.interfaces.joined(separator: " ") },
                "bridges in:\n\(userData)")
        let devices = ethernets.merging(bonds) { $1 }.merging(vlans) { $1 }.merging(bridges) { $1 }
        let search = map(devices[host.network.interface], "nameservers")["search"] as? [String]
        #expect(search == (host.network.dns.isEmpty ? nil : [host.domain]), "search domain in:\n\(userData)")
    }

    /// What anaconda reads from the kickstart (pykickstart, as ksvalidator): the host's own
    /// language, time zone, mirror, proxy and root hash, each one argument.
    static func checkKickstart(_ files: [NetbootRenderer.RenderedFile], host: Provision.Host) throws {
        let kickstart = try #require(files.first { $0.path.hasSuffix("ks.cfg") }).content
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        try kickstart.write(toFile: "\(temporary.path)/ks.cfg", atomically: true, encoding: .utf8)
        let read = "import sys, json; from pykickstart.parser import KickstartParser; from pykickstart.version import makeVersion, RHEL9; "
            + "h = makeVersion(RHEL9); KickstartParser(h).readKickstart(sys.argv[1]); "
            + "print(json.dumps([h.lang.lang, h.timezone.timezone, h.url.url, h.url.proxy, h.rootpw.password]))"
        let result = try run("\(toolsDirectory)/bin/python3", ["-c", read, "\(temporary.path)/ks.cfg"])
        let last = result.output.split(separator: "\n").last.map(String.init) ?? ""
        let values = (try? JSONSerialization.jsonObject(with: Data(last.utf8))) as? [String?]
        #expect(values == [host.locale, host.timezone, host.os.mirror, host.proxy, host.rootPasswordHash], "\(result.output)\n\(kickstart)")
    }

    /// A YAML document as PyYAML's safe loader reads it, through JSON (a date or other
    /// non-JSON value comes back as its Python repr, so it never equals the text it came from).
    static func loadYAML(_ text: String) throws -> Any? {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        try text.write(toFile: "\(temporary.path)/document.yaml", atomically: true, encoding: .utf8)
        let result = try run("python3", ["-c", "import sys, json, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1])), default=repr))", "\(temporary.path)/document.yaml"])
        #expect(result.status == 0, "\(result.output)\n\(text)")
        return try? JSONSerialization.jsonObject(with: Data(result.output.utf8))
    }

    /// The shell parts of the install files: Debian's early and late commands, the kickstart's
    /// %post, Ubuntu's late-commands (one script, a command a line).
    static func shellScripts(_ files: [NetbootRenderer.RenderedFile]) throws -> [Script] {
        var scripts: [Script] = []
        for file in files {
            if file.path.hasSuffix("preseed.cfg") {
                for directive in ["partman/early_command", "preseed/late_command"] {
                    scripts.append(Script(name: "\(file.path) \(directive)", text: preseedValue(file.content, directive), writesKeys: directive.hasPrefix("preseed")))
                }
            } else if file.path.hasSuffix("ks.cfg") {
                let lines = file.content.split(separator: "\n", omittingEmptySubsequences: false)
                let post = lines.drop { !$0.hasPrefix("%post") }.dropFirst().prefix { $0 != "%end" }
                scripts.append(Script(name: "\(file.path) %post", text: post.joined(separator: "\n"), writesKeys: true))
            } else if file.path.hasSuffix("user-data") {
                let temporary = try TemporaryDirectory()
                defer { temporary.remove() }
                try file.content.write(toFile: "\(temporary.path)/user-data", atomically: true, encoding: .utf8)
                let extract = "import sys, yaml; print('\\n'.join(yaml.safe_load(open(sys.argv[1]))['autoinstall']['late-commands']))"
                let result = try run("python3", ["-c", extract, "\(temporary.path)/user-data"])
                #expect(result.status == 0, "\(result.output)")
                scripts.append(Script(name: "\(file.path) late-commands", text: result.output, writesKeys: true))
            }
        }
        return scripts
    }

    /// A preseed directive's value as debconf reads it: continuation lines (a trailing `\`) joined.
    static func preseedValue(_ content: String, _ directive: String) -> String {
        let lines = content.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("d-i \(directive) string") }) else { return "" }
        var value = ""
        for line in lines[start...] {
            value += line.hasSuffix("\\") ? String(line.dropLast()) : String(line)
            if !line.hasSuffix("\\") { break }
        }
        return String(value.dropFirst("d-i \(directive) string ".count))
    }

    static func syntaxCheck(_ script: String, name: String) throws {
        let result = try run("sh", ["-n", "-c", script])
        #expect(result.status == 0 && result.output.isEmpty, "\(name): sh -n: \(result.output)\n\(script)")
    }

    /// What sh expands in the script: its text without single-quoted strings, backslash-escaped
    /// characters, comments and quoted heredocs (a double-quoted string is kept: sh expands
    /// `$(...)` in it).
    static func outsideQuotes(_ script: String) -> String {
        var outside = ""
        var heredoc: String?
        for line in script.split(separator: "\n", omittingEmptySubsequences: false) {
            if let end = heredoc {
                if line == end { heredoc = nil }
                continue
            }
            var characters = line.makeIterator()
            var previous: Character = " "
            var inSingle = false, inDouble = false
            while let character = characters.next() {
                if inSingle {
                    if character == "'" { inSingle = false }
                } else if character == "\\" {
                    _ = characters.next()
                } else if character == "'" && !inDouble {
                    inSingle = true
                } else if character == "\"" {
                    inDouble.toggle()
                } else if character == "#" && !inDouble && previous.isWhitespace {
                    break
                } else {
                    outside.append(character)
                }
                previous = character
            }
            outside.append("\n")
            if let range = line.range(of: "<<'") { heredoc = String(line[range.upperBound...].prefix { $0 != "'" }) }
        }
        return outside
    }

    /// Runs `script` by sh in a scratch root (its /target and /root/.ssh moved there, the
    /// installer's tools stubbed) and returns the authorized_keys it wrote.
    static func runWritingKeys(_ script: String) throws -> String {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let root = temporary.path
        for directory in ["bin", "target/etc/network", "target/etc/ssh", "root"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(directory)", withIntermediateDirectories: true)
        }
        for tool in ["wget", "curl", "curtin", "ssh-keygen", "restorecon", "debconf-set"] {
            try "#!/bin/sh\nexit 0\n".write(toFile: "\(root)/bin/\(tool)", atomically: true, encoding: .utf8)
            chmod("\(root)/bin/\(tool)", 0o755)
        }
        let moved = script.replacingOccurrences(of: "/target", with: "\(root)/target").replacingOccurrences(of: " /root/", with: " \(root)/root/")
        _ = try run("sh", ["-c", moved], environment: ["PATH": "\(root)/bin:/usr/bin:/bin"])
        for path in ["\(root)/target/root/.ssh/authorized_keys", "\(root)/root/.ssh/authorized_keys"] {
            if let text = try? String(contentsOfFile: path, encoding: .utf8) { return text }
        }
        return ""
    }
}
