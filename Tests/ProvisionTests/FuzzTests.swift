import Foundation
import Playbooks
import Testing
@testable import Provision

/// Property tests over what provision reads from outside: inventories and playbooks (mutated
/// copies of real ones) and the output of probes (garbled, cut, random). For every input: no
/// crash, no hang, and either a result or errors that each say where and what; probe output
/// that is not what the probe prints is never taken for "in sync".
@Suite("Bad input, generated", .tags(.medium), .timeLimit(.minutes(5)))
struct FuzzTests {
    /// SplitMix64: a seeded generator, so a failing case can be replayed from its seed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let seed = UInt64(ProcessInfo.processInfo.environment["PROVISION_FUZZ_SEED"] ?? "") ?? 20_261_125
    static let iterations = Int(ProcessInfo.processInfo.environment["PROVISION_FUZZ_ITERATIONS"] ?? "") ?? 400

    /// Characters that mean something to YAML, Mustache or sh, and a few that mean nothing.
    static let alphabet = Array(":-[]{}\"'#&*!|>%@`,? \n\t\\{{}}$;()0123456789aZ\u{0}\u{7F}é€\u{FEFF}")
    static let tokens = ["yes", "no", "on", "0644", "0x1F", "~", "null", "!!binary", "&anchor", "*anchor", "<<: *a", "- ", ": ",
                         "\"unterminated", "'", "{", "[", "{{", "}}", "{{#x}}", "\t", "---", "...", "%YAML 1.1", "1e400", "-0", ".inf"]

    /// A random small change to a text: a character inserted, deleted or replaced, a YAML
    /// token put in, a line duplicated, removed or swapped, or the text cut short.
    static func mutate(_ text: String, _ random: inout Generator) -> String {
        var characters = Array(text)
        guard !characters.isEmpty else { return String(alphabet.randomElement(using: &random)!) }
        let position = Int.random(in: 0..<characters.count, using: &random)
        switch Int.random(in: 0..<8, using: &random) {
        case 0: characters.insert(alphabet.randomElement(using: &random)!, at: position)
        case 1: characters.remove(at: position)
        case 2: characters[position] = alphabet.randomElement(using: &random)!
        case 3: characters.insert(contentsOf: tokens.randomElement(using: &random)!, at: position)
        case 4: characters = Array(characters[..<position])
        default:
            var lines = String(characters).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let line = Int.random(in: 0..<lines.count, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0: lines.insert(lines[line], at: line)
            case 1: lines.remove(at: line)
            default: lines.swapAt(line, Int.random(in: 0..<lines.count, using: &random))
            }
            return lines.joined(separator: "\n")
        }
        return String(characters)
    }

    /// Every diagnostic names a place inside the file (or none) and says something.
    static func expectWellFormed(_ error: DiagnosticsError, lines: Int, seed: UInt64) {
        #expect(!error.diagnostics.isEmpty, "rejected without a reason (seed \(seed))")
        for diagnostic in error.diagnostics {
            #expect(!diagnostic.message.isEmpty, "seed \(seed)")
            if let location = diagnostic.location {
                #expect(location.line >= 1 && location.line <= lines + 1 && location.column >= 1, "\(diagnostic) outside the file (seed \(seed))")
            }
        }
        #expect(!error.description.isEmpty)
    }

    @Test("mutated inventories load or are rejected with located errors")
    func inventories() throws {
        let originals = [try String(contentsOfFile: Fixtures.exampleInventory, encoding: .utf8),
                         try String(contentsOfFile: "\(Fixtures.repository)/inventory/qemu-lab.yml", encoding: .utf8)]
        var random = Generator(state: Self.seed)
        for iteration in 0..<Self.iterations {
            var text = originals[iteration % originals.count]
            for _ in 0..<Int.random(in: 1...4, using: &random) { text = Self.mutate(text, &random) }
            do {
                // What loads is whole: unique names, addresses and MACs, as validation promises.
                let inventory = try InventoryLoader.load(files: [("fuzz.yml", text)])
                #expect(Set(inventory.hosts.map(\.name)).count == inventory.hosts.count, "seed \(Self.seed) iteration \(iteration)")
                #expect(Set(inventory.hosts.map(\.network.address)).count == inventory.hosts.count, "seed \(Self.seed) iteration \(iteration)")
                #expect(Set(inventory.hosts.flatMap { $0.nics.map(\.mac) }).count == inventory.hosts.reduce(0) { $0 + $1.nics.count })
            } catch {
                Self.expectWellFormed(error, lines: text.split(separator: "\n", omittingEmptySubsequences: false).count, seed: Self.seed)
            }
        }
    }

    @Test("mutated playbooks build roles or are rejected with located errors")
    func playbooks() throws {
        let originals = try ["inventory/playbooks/example-web.yml", "bench/converge/roles/bench30.yml"].map {
            try String(contentsOfFile: "\(Fixtures.repository)/\($0)", encoding: .utf8)
        }
        var random = Generator(state: Self.seed &+ 1)
        let host = try #require(try loadExample().hosts.first)
        for iteration in 0..<Self.iterations {
            var text = originals[iteration % originals.count]
            for _ in 0..<Int.random(in: 1...4, using: &random) { text = Self.mutate(text, &random) }
            let roles: [String: Role]
            do {
                roles = try SitePlaybookLoader.load(files: [("fuzz.yml", text)])
            } catch {
                Self.expectWellFormed(error, lines: text.split(separator: "\n", omittingEmptySubsequences: false).count, seed: Self.seed)
                continue
            }
            // A site role that loaded builds for any host: its values were all checked.
            for role in roles.values { _ = ProbeScript(for: try role.build(host).resources).text }
        }
    }

    /// One of each resource type, and what its probe prints when the host is in sync.
    static let resources: [(resource: any Resource, inSync: String)] = [
        (FileResource("/etc/motd", content: "hi\n"), "present 644 root root \(sha256Hex("hi\n"))"),
        (DirectoryResource("/srv"), "present 755 root root"),
        (ServiceResource("ssh"), "enabled active"),
        (CommandResource("true", creates: "/x"), "done"),
        (PackageResource("tree", .version("2.1.0-1")), "install ok installed|2.1.0-1"),
        (PackageResource("qemu-kvm", .version("8.2.0-11.el9"), manager: .dnf), "installed|8.2.0-11.el9"),
        (LineInFileResource("/etc/x", line: "a"), "present 1 0"),
        (UserResource("ops"), "present|/bin/bash||none"),
        (GroupResource("ops", gid: 1001), "ops:x:1001:"),
        (SysctlResource("vm.swappiness", "10"), "live 10\npresent 644 root root \(sha256Hex("# Managed by provision.\nvm.swappiness = 10\n"))"),
        (KernelModuleResource("overlay"), "loaded\npresent 644 root root \(sha256Hex("# Managed by provision.\noverlay\n"))"),
    ]

    @Test("probe output: random text is never in sync, nor output cut short; garbled output never crashes a compare")
    func probeOutput() {
        var random = Generator(state: Self.seed &+ 2)
        for (resource, inSync) in Self.resources {
            #expect(resource.compare(probed: inSync) == .inSync, "\(resource.id): the in-sync sample is wrong: \(resource.compare(probed: inSync))")
            for _ in 0..<Self.iterations / 4 {
                let noise = String((0..<Int.random(in: 0...60, using: &random)).map { _ in Self.alphabet.randomElement(using: &random)! })
                #expect(resource.compare(probed: noise) != .inSync, "\(resource.id): '\(noise)' taken for in sync")
                let cut = String(inSync.prefix(Int.random(in: 0..<inSync.count, using: &random)))
                if cut.trimmingCharacters(in: .whitespacesAndNewlines) != inSync.trimmingCharacters(in: .whitespacesAndNewlines) {
                    #expect(resource.compare(probed: cut) != .inSync, "\(resource.id): '\(cut)' (cut short) taken for in sync")
                }
                var garbled = inSync
                for _ in 0..<Int.random(in: 1...3, using: &random) { garbled = Self.mutate(garbled, &random) }
                _ = resource.compare(probed: garbled)
            }
        }
    }

    @Test("batched probe output: real sections split back exactly; damage to one section never changes another; a section without its end marker is missing")
    func batchedOutput() {
        var random = Generator(state: Self.seed &+ 3)
        let outputs = Self.resources.map(\.inSync)
        func batch(_ outputs: [String]) -> String {
            outputs.enumerated().map { "\n@@provision-probe \($0) begin@@\n\($1)\n@@provision-probe \($0) end 0@@\n" }.joined()
        }
        func split(_ output: String) -> [String?] {
            let sections = ProbeScript.split(output).sections
            return outputs.indices.map { sections[Substring(String($0))].map { String($0.output) } }
        }
        #expect(split(batch(outputs)) == outputs)
        for _ in 0..<Self.iterations {
            let damaged = Int.random(in: 0..<outputs.count, using: &random)
            var changed = outputs
            for _ in 0..<Int.random(in: 1...4, using: &random) { changed[damaged] = Self.mutate(changed[damaged], &random) }
            let sections = split(batch(changed))
            #expect(sections.count == outputs.count)
            // Damage that forges a marker line may end that section early; it never reaches the others.
            for index in outputs.indices where index != damaged && !changed[damaged].contains("@@") {
                #expect(sections[index] == outputs[index], "section \(index) changed by damage to section \(damaged)")
            }
            var cut = batch(outputs)
            cut = cut.replacingOccurrences(of: "@@provision-probe \(damaged) end 0@@", with: "")
            #expect(split(cut)[damaged] == nil, "section \(damaged) without its end marker was accepted")
        }
    }

    /// Resources of every grouped kind, the sections of a host on which all of them are in
    /// sync, and which sections each one reads.
    static let grouped: (resources: [any Resource], reads: [Set<String>], sections: [(label: String, body: String)]) = {
        let sysctl = SysctlResource("vm.swappiness", "10", runtime: false)
        let resources: [any Resource] = [
            FileResource("/etc/motd", content: "hello\n"), DirectoryResource("/srv"), PackageResource("openssh-server"),
            ServiceResource("cron"), GroupResource("ops", gid: 1001), UserResource("ops"),
            LineInFileResource("/etc/ssh/sshd_config", line: "MaxAuthTries 4", match: "^#?MaxAuthTries"), sysctl,
        ]
        let reads: [Set<String>] = [["paths", "digests"], ["paths"], ["deb"], ["units"], ["groups"], ["accounts", "groups", "digests"],
                                    ["paths", "lines"], ["paths", "digests"]]
        let sections = [
            ("accounts", "ops:x:1001:1001::/home/ops:/bin/bash"),
            ("groups", "root:x:0:\nops:x:1001:"),
            ("paths", "regular file|644|root|root|/etc/motd\ndirectory|755|root|root|/srv\nregular file|644|root|root|/etc/ssh/sshd_config\n"
                + "regular file|644|root|root|\(sysctl.file.path)"),
            ("digests", "\(sha256Hex("hello\n"))  /etc/motd\n\(sha256Hex(sysctl.file.content))  \(sysctl.file.path)"),
            ("deb", "openssh-server|openssh-server|install ok installed|1:9.2p1-2+deb12u3"),
            ("units", "ActiveState=active\nUnitFileState=enabled"),
            ("lines", "0 1 1"),
        ]
        return (resources, reads, sections)
    }()

    static func groupedOutput(_ sections: [(label: String, body: String)]) -> String {
        sections.map { "\n@@provision-probe \($0.label) begin@@\n\($0.body)\n@@provision-probe \($0.label) end 0@@\n" }.joined()
    }

    @Test("grouped probe output: cut anywhere, a resource is in sync only when every section it reads arrived whole; a fact line lost or garbled never reads as in sync")
    func groupedFacts() {
        var random = Generator(state: Self.seed &+ 4)
        let (resources, reads, sections) = Self.grouped
        let script = ProbeScript(for: resources)
        func comparisons(_ output: String) -> [Comparison] {
            zip(resources, script.read(output).states).map { resource, state in state.map { resource.compare(probed: $0) } ?? .unknown("missing") }
        }
        let whole = Self.groupedOutput(sections)
        #expect(comparisons(whole).allSatisfy { $0 == .inSync }, "\(comparisons(whole))")
        for _ in 0..<Self.iterations {
            let cut = String(whole.prefix(Int.random(in: 0..<whole.count, using: &random)))
            let arrived = Set(ProbeScript.split(cut).sections.keys.map(String.init))
            for (index, comparison) in comparisons(cut).enumerated() where comparison == .inSync {
                #expect(reads[index].isSubset(of: arrived), "\(resources[index].id) in sync from output cut short: \(cut.debugDescription)")
            }
            // One line of one section lost, or replaced by noise: a resource that reads that
            // section and is named on that line is not in sync (units are read by their order, and a broken block loses them all).
            var damaged = sections
            let section = Int.random(in: 0..<sections.count, using: &random)
            var lines = damaged[section].body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let line = Int.random(in: 0..<lines.count, using: &random)
            let original = lines[line]
            if Bool.random(using: &random) {
                lines.remove(at: line)
            } else {
                lines[line] = String((0..<Int.random(in: 0...40, using: &random)).map { _ in Self.alphabet.filter { $0 != "@" }.randomElement(using: &random)! })
            }
            damaged[section].body = lines.joined(separator: "\n")
            for (index, comparison) in comparisons(Self.groupedOutput(damaged)).enumerated()
            where reads[index].contains(sections[section].label) && original.contains(resources[index].name) && !lines.contains(original) {
                #expect(comparison != .inSync, "\(resources[index].id) in sync after losing the line \(original.debugDescription)")
            }
        }
    }
}
