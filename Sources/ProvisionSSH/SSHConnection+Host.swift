import Foundation
import Provision

extension SSHConnection.Options {
    /// How to reach an inventory host: its `sshAddress` and `ssh` settings. Without an `ssh.key`,
    /// as OpenSSH does: the ssh-agent (when `SSH_AUTH_SOCK` is set), then `~/.ssh/id_ed25519`,
    /// `id_ecdsa` and `id_rsa` where they exist; known hosts default to `~/.ssh/known_hosts` (`~` is `home`).
    public init(for host: Provision.Host, _ connect: ConnectOptions = ConnectOptions(), environment: [String: String], home: String) {
        var identities: [SSHConnection.Identity]
        if let key = host.ssh.key {
            identities = [.keyFile(key)]
        } else {
            identities = environment["SSH_AUTH_SOCK"].map { [.agent(socket: $0)] } ?? []
            identities += ["id_ed25519", "id_ecdsa", "id_rsa"].map { "\(home)/.ssh/\($0)" }
                .filter { FileManager.default.fileExists(atPath: $0) }.map { .keyFile($0) }
        }
        self.init(host: host.sshAddress.host, port: host.sshAddress.port, user: host.ssh.user, identities: identities,
                  knownHosts: host.ssh.knownHostsFile(home: home), connectTimeout: connect.connectTimeout, commandTimeout: connect.commandTimeout,
                  acceptNewHostKey: connect.acceptNewHostKey)
    }
}
