import Foundation
import Testing
@testable import Provision
@testable import ProvisionLab
import ProvisionSSH

/// The .deb scripts/package built: `PROVISION_DEB` (set by scripts/test after building it, so a
/// missing file then fails the test), else the package of this version in .build/package/.
enum BuiltPackage {
    static let path: String? = {
        if let path = ProcessInfo.processInfo.environment["PROVISION_DEB"] { return path }
        let directory = "\(Fixtures.repository)/.build/package"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.first { $0.hasPrefix("provision_\(ProvisionVersion.current)_") && $0.hasSuffix(".deb") }.map { "\(directory)/\($0)" }
    }()
}

/// The package installed on a lab node the way an operator installs it (apt, which fetches from
/// Debian what `Depends:` names: a missing library would keep the binary from starting), and
/// used there as it sets itself up. An extension of the lab suite, so that it runs serialized
/// with the other tests that use the lab's addresses.
extension LabSSHTests {
    @Test("apt installs the .deb on Debian 12; there validate and netboot render work from its config, with man page, completions and units in place",
          .enabled(if: BuiltPackage.path != nil, "no .deb of this version in .build/package: scripts/package builds it (scripts/test does, first)"))
    func installedPackage() throws {
        let deb = try #require(BuiltPackage.path)
        let inventory = Fixtures.path("inventories/loopback.yml")
        try #require(FileManager.default.fileExists(atPath: deb), "\(deb) is missing: run scripts/package")
        let lab = try RunningLab(count: 1)
        defer { lab.stop() }
        let node = lab.nodes[0]
        try FileManager.default.copyItem(atPath: deb, toPath: "\(lab.lab.directory)/nodes/\(node.name)/root/root/provision.deb")
        var options = lab.options(node)
        options.commandTimeout = .seconds(600)
        let connection = try SSHConnection(options)
        /// Runs a shell script on the node; a failure is recorded with its output.
        @discardableResult
        func sh(_ script: String, input: String? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> String {
            let result = try connection.execute("sh -c \(Shell.quote(script))", input: input)
            #expect(result.status == 0, "\(script): exit \(result.status)\n\(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
            return result.stdout
        }

        try sh("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /root/provision.deb")
        #expect(try sh("provision --version") == "\(ProvisionVersion.current)\n")

        // The operator's steps: the inventory where the package's config says, then the commands
        // as the user the units run as, with the settings the units read.
        try sh("cat > /etc/provision/inventory/site.yml", input: try String(contentsOfFile: inventory, encoding: .utf8))
        let asProvision = "cd /var/lib/provision && set -a && . /etc/provision/provision.env && set +a && exec runuser -u provision -- provision"
        #expect(try sh("\(asProvision) validate").contains("2 hosts"))
        try sh("\(asProvision) netboot render")

        // The rendered tree is the one this checkout renders: every file, byte for byte, so the
        // packaged templates are the tested ones (and the manifest of what was rendered, whose
        // inode numbers are the node's own).
        let tree = "/var/lib/provision/pxe"
        let expected = NetbootRenderer(inventory: try InventoryLoader.load(path: inventory), templates: try TemplateSet())
            .renderTree(armed: [], tftpRoot: "\(tree)/tftp")
            .map { "\(sha256Hex($0.content))  \($0.path)" }.sorted()
        let rendered = try sh("cd \(tree) && find . -type f ! -name \(BootTree.renderManifest) -printf '%P\\n' | sort | xargs sha256sum")
        #expect(rendered.split(separator: "\n").map(String.init).sorted() == expected)
        #expect(try sh("grep -c '^host ' \(tree)/\(BootTree.renderManifest)") == "2\n")

        // Man page and completions where man, bash-completion and zsh look.
        let manual = try sh("zcat /usr/share/man/man1/provision.1.gz")
        #expect(manual.contains(".Dt PROVISION 1"))
        #expect(manual.contains("netboot"))
        #expect(try sh("bash -c '. /usr/share/bash-completion/completions/provision && complete -p provision'").contains("provision"))
        #expect(try sh("head -1 /usr/share/zsh/vendor-completions/_provision").hasPrefix("#compdef provision"))

        // The units: valid (the node has no man-db to look their man page up), known to systemd,
        // and the drift check runs as its timer would start it. The fixture's hosts answer SSH
        // nowhere (loopback port 9): unreachable is a finding (exit 4), the unit succeeds, and
        // the report is where the config says.
        let units = ["provision-serve.service", "provision-check.service", "provision-check.timer"]
        try sh("systemd-analyze verify --man=no \(units.map { "/lib/systemd/system/\($0)" }.joined(separator: " "))")
        let loadStates = try sh("systemctl show -p LoadState --value \(units.joined(separator: " "))")
        #expect(loadStates.split(separator: "\n") == ["loaded", "loaded", "loaded"], "systemctl show separates units by an empty line")
        try sh("systemctl start provision-check.service")
        let report = try sh("cat /var/lib/provision/reports/check.json")
        #expect(report.contains("node-1") && report.contains("node-2"), "\(report)")
        #expect(try sh("journalctl -u provision-check.service --no-pager -o cat").contains("node-1"))
    }
}
