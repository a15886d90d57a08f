import Foundation
import Testing
@testable import Provision

@Suite("known_hosts", .tags(.small))
struct KnownHostsTests {
    static let ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFugtW+e70tgaLrrmJepwlhBecoJ4jhN7bw0gXU6Ud1c"

    @Test("a [host]:port entry is found by its host and port (not taken for a glob's character class); trusting the same key again writes nothing")
    func bracketedNames() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/known_hosts"
        try """
            [127.0.0.1]:2222 \(Self.ed25519)
            *.example.net,!bad.example.net ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTY=
            10.0.0.7 ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC=

            """.write(toFile: path, atomically: true, encoding: .utf8)
        let file = KnownHosts(path: path)
        #expect(file.keyTypes(host: "127.0.0.1", port: 2222) == ["ssh-ed25519"])
        #expect(file.keyTypes(host: "127.0.0.1", port: 22).isEmpty)
        #expect(!KnownHosts.matches("[127.0.0.1]:2222", name: "1:2222"), "'[127.0.0.1]' is no character class")
        #expect(file.keyTypes(host: "kvm.example.net", port: 22) == ["ecdsa-sha2-nistp256"])
        #expect(file.keyTypes(host: "bad.example.net", port: 22).isEmpty)

        let before = try String(contentsOfFile: path, encoding: .utf8)
        #expect(try file.trust(host: "127.0.0.1", port: 2222, key: SSHHostKey(line: Self.ed25519)) == false)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == before)
    }

    @Test("trusting a reinstalled host's key drops only that host's old keys: CA lines, wildcard lines and the other names of a shared line stay")
    func trustKeepsOtherLines() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/known_hosts"
        let old = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOL"
        try "10.20.1.11 \(old)\n".write(toFile: "\(directory.path)/hashed", atomically: true, encoding: .utf8)
        try #require(try run("ssh-keygen", ["-H", "-f", "\(directory.path)/hashed"]).status == 0)
        let hashed = try String(contentsOfFile: "\(directory.path)/hashed", encoding: .utf8).split(separator: "\n").first { $0.hasPrefix("|1|") }
        let lines = [
            "# the site's CA and its wildcard entries",
            "@cert-authority *.example.net,10.20.* \(old)",
            "10.20.* ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC=",
            "kvm-a01,10.20.1.11 \(old) root@kvm-a01",
            String(try #require(hashed)),
            "10.20.1.12 \(old)",
            "  kvm-a01b,10.20.1.11\tssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOL",
            "10.20.1.11\tssh-ed25519\tAAAAC3NzaC1lZDI1NTE5AAAAIOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOL",
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let file = KnownHosts(path: path)
        #expect(file.keyTypes(host: "10.20.1.11", port: 22) == ["ssh-ed25519", "ssh-rsa"],
                "the host's own lines' types first, then the wildcard's; a CA's key is no host key")

        #expect(try file.trust(host: "10.20.1.11", port: 22, key: SSHHostKey(line: Self.ed25519)))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == [
            "# the site's CA and its wildcard entries",
            "@cert-authority *.example.net,10.20.* \(old)",
            "10.20.* ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC=",
            "kvm-a01 \(old) root@kvm-a01",
            "10.20.1.12 \(old)",
            "  kvm-a01b\tssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOL",
            "10.20.1.11 \(Self.ed25519)",
        ].joined(separator: "\n") + "\n")
        #expect(try KnownHosts(path: path).trust(host: "10.20.1.11", port: 22, key: SSHHostKey(line: Self.ed25519)) == false,
                "trusting the same key again changes nothing")
    }
}
