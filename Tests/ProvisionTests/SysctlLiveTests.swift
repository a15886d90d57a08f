import Foundation
import Playbooks
import Testing
@testable import Provision

/// A sysctl's live path, which the lab cannot show (/proc/sys is read-only in its containers):
/// the resource's own probe and fix run by sh in a network namespace the test creates, where
/// `net.*` settings belong to the namespace and are writable. The persisted file goes to a
/// temporary directory, never the machine's /etc.
@Suite("sysctl live value in a network namespace", .tags(.medium), .enabled(if: getuid() == 0, "network namespaces need root"))
struct SysctlLiveTests {
    @Test("the live value and the file are both compared; a live change by hand is drift; the fix sets both")
    func liveAndPersisted() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let namespace = try TestNamespace("provsysctl")
        defer { namespace.remove() }
        let sh = { (script: String) throws -> String in try namespace.sh(script) }
        let resource = SysctlResource("net.ipv4.ip_forward", "1", directory: directory.path)
        func compare() throws -> Comparison { resource.compare(probed: try resource.probed(by: sh)) }

        #expect(try sh("cat /proc/sys/net/ipv4/ip_forward") == "0\n", "a new namespace starts with forwarding off")
        #expect(try compare() == .change("live 0 → 1; \(directory.path)/60-provision-net.ipv4.ip_forward.conf: create (48 bytes, mode 0644)"))
        _ = try sh("set -e\n" + resource.fix)
        #expect(try sh("cat /proc/sys/net/ipv4/ip_forward") == "1\n")
        #expect(try compare() == .inSync)
        _ = try sh("echo 0 > /proc/sys/net/ipv4/ip_forward")
        #expect(try compare() == .change("live 0 → 1"))
        _ = try sh("set -e\n" + resource.fix)
        #expect(try compare() == .inSync)
        #expect(SysctlResource("net.ipv4.no_such_setting", "1", directory: directory.path).compare(probed: try SysctlResource("net.ipv4.no_such_setting", "1", directory: directory.path).probed(by: sh))
                == .unknown("the kernel has no setting net.ipv4.no_such_setting (/proc/sys/net/ipv4/no_such_setting is missing)"))
    }

    @Test("where /proc/sys is read-only (as in a container): the file is written, the live value left, and the summary says so")
    func readOnlyProcSys() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let namespace = try TestNamespace("provsysro")
        defer { namespace.remove() }
        // Each `ip netns exec` has a mount namespace of its own: the read-only /proc/sys ends with it.
        let readOnly = "mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys\n"
        let sh = { (script: String) throws -> String in try namespace.sh(readOnly + script) }
        let resource = SysctlResource("net.ipv4.ip_forward", "1", directory: directory.path)
        func compare() throws -> Comparison { resource.compare(probed: try resource.probed(by: sh)) }

        let file = "\(directory.path)/60-provision-net.ipv4.ip_forward.conf"
        guard case .change(let summary) = try compare() else { Issue.record("a missing file is a change"); return }
        #expect(summary.hasPrefix("\(file): create (48 bytes, mode 0644); not set live: /proc/sys is read-only"), "\(summary)")
        _ = try sh("set -e\n" + resource.fix)
        #expect(try sh("cat /proc/sys/net/ipv4/ip_forward") == "0\n", "the live value is left as it was")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "# Managed by provision.\nnet.ipv4.ip_forward = 1\n")
        #expect(try compare() == .inSync)
    }
}
