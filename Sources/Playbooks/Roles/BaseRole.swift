import Provision

/// `base`: what every host gets. sshd hardened (keys only), journald bounded, kernel
/// settings persisted, time servers configured, and a motd that says who manages the host.
///
/// Vars: `time_servers` (list, default the Debian pool), `journald_max_use` (default `1G`),
/// `admins` (a mapping from user name to a list of SSH public keys: each becomes a user in
/// group `adm` with exactly those keys).
enum BaseRole {
    static let role = Role(name: "base") { host in
        let timeServers = host.strings("time_servers", default: ["0.debian.pool.ntp.org", "1.debian.pool.ntp.org"])
        let journaldMaxUse = host.string("journald_max_use", default: "1G")
        let admins: [any Resource] = host.mapping("admins").sorted { $0.key < $1.key }.map { name, keys in
            UserResource(name, groups: ["adm"], authorizedKeys: keys.strings)
        }
        return HostPlaybook(
            resources: admins + [
                FileResource("/etc/motd", content: "\(host.fqdn): managed by provision (roles: \(host.roles.joined(separator: ", "))).\n"),
                FileResource("/etc/ssh/sshd_config.d/50-provision.conf", content: """
                    # Managed by provision (role base).
                    PermitRootLogin prohibit-password
                    PasswordAuthentication no
                    KbdInteractiveAuthentication no
                    X11Forwarding no

                    """, mode: "0644", notifies: ["reload ssh"]),
                ServiceResource("ssh"),
                DirectoryResource("/etc/systemd/journald.conf.d"),
                FileResource("/etc/systemd/journald.conf.d/50-provision.conf", content: """
                    # Managed by provision (role base).
                    [Journal]
                    SystemMaxUse=\(journaldMaxUse)
                    Compress=yes

                    """, notifies: ["restart journald"]),
                DirectoryResource("/etc/systemd/timesyncd.conf.d"),
                FileResource("/etc/systemd/timesyncd.conf.d/50-provision.conf", content: """
                    # Managed by provision (role base).
                    [Time]
                    NTP=\(timeServers.joined(separator: " "))

                    """),
                FileResource("/etc/sysctl.d/50-provision.conf", content: """
                    # Managed by provision (role base).
                    kernel.panic = 10
                    kernel.sysrq = 176
                    net.ipv4.conf.all.rp_filter = 1
                    vm.swappiness = 10

                    """),
            ],
            handlers: [
                Handler(name: "reload ssh", command: "systemctl reload ssh"),
                Handler(name: "restart journald", command: "systemctl restart systemd-journald"),
            ])
    }
}
