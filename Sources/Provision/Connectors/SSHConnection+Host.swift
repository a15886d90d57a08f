import Foundation

extension SSHConnection.Options {
    /// How to reach an inventory host: its address and `ssh` settings, with OpenSSH's defaults
    /// (`~/.ssh/id_ed25519`, `~/.ssh/known_hosts`) where the inventory says nothing.
    public init(for host: Host, connectTimeout: Duration = .seconds(10), acceptNewHostKey: Bool = false) {
        let home = NSHomeDirectory()
        self.init(host: host.network.address.description, port: host.ssh.port, user: host.ssh.user,
                  keyFile: host.ssh.key ?? "\(home)/.ssh/id_ed25519", knownHosts: host.ssh.knownHosts ?? "\(home)/.ssh/known_hosts",
                  connectTimeout: connectTimeout, acceptNewHostKey: acceptNewHostKey)
    }
}
