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
        #expect(file.keyTypes(host: "1", port: 2222).isEmpty, "'[127.0.0.1]' is no character class")
        #expect(file.keyTypes(host: "kvm.example.net", port: 22) == ["ecdsa-sha2-nistp256"])
        #expect(file.keyTypes(host: "bad.example.net", port: 22).isEmpty)

        let before = try String(contentsOfFile: path, encoding: .utf8)
        #expect(try file.trust(host: "127.0.0.1", port: 2222, key: SSHHostKey(line: Self.ed25519)) == false)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == before)
    }
}
