import Provision

/// `base`: what every host gets. sshd hardened (keys only), journald bounded, kernel settings
/// set live and persisted, a time-sync daemon on the site's servers, admin users, and a motd
/// that says who manages the host.
///
/// Vars: `time_servers` (list, default the Debian pool), `journald_max_use` (default `1G`),
/// `admins` (a mapping from user name to a list of SSH public keys: each becomes a user in
/// group `adm` with exactly those keys).
///
/// On a container (the lab's nodes) the resources adapt to what their probes find: kernel
/// settings are persisted but not set live where /proc/sys is read-only, and systemd-timesyncd,
/// which systemd does not run in a container, is configured and enabled but not started; the
/// summaries say so.
enum BaseRole {
    static let role = Role(name: "base") { host in
        let timeSync = timeSync(host)
        let journaldMaxUse = host.string("journald_max_use", default: "1G")
        let admins: [any Resource] = host.mapping("admins").sorted { $0.key < $1.key }.map { name, keys in
            UserResource(name, groups: ["adm"], authorizedKeys: keys.strings)
        }
        let sysctls: [any Resource] = [("kernel.panic", "10"), ("kernel.sysrq", "176"), ("net.ipv4.conf.all.rp_filter", "1"), ("vm.swappiness", "10")]
            .map { SysctlResource($0, $1) }
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
            ] + timeSync.resources + sysctls,
            handlers: [
                Handler(name: "reload ssh", command: "systemctl reload ssh"),
                Handler(name: "restart journald", command: "systemctl restart systemd-journald"),
            ] + timeSync.handlers)
    }

    /// systemd-timesyncd where apt is the package manager, chrony where dnf is (what each
    /// family installs by default), pointed at `time_servers`.
    static func timeSync(_ host: Host) -> HostPlaybook {
        let servers = host.strings("time_servers", default: ["0.debian.pool.ntp.org", "1.debian.pool.ntp.org"])
        switch PackageResource.Manager(host.os.family) {
        case .apt:
            return HostPlaybook(resources: [
                PackageResource("systemd-timesyncd"),
                DirectoryResource("/etc/systemd/timesyncd.conf.d"),
                FileResource("/etc/systemd/timesyncd.conf.d/50-provision.conf", content: """
                    # Managed by provision (role base).
                    [Time]
                    NTP=\(servers.joined(separator: " "))
                    FallbackNTP=

                    """, notifies: ["restart timesyncd"]),
                ServiceResource("systemd-timesyncd", runsInContainers: false),
            ], handlers: [Handler(name: "restart timesyncd", command: "systemctl restart systemd-timesyncd")])
        case .dnf:
            return HostPlaybook(resources: [
                PackageResource("chrony", manager: .dnf),
                FileResource("/etc/chrony.conf", content: """
                    # Managed by provision (role base).
                    \(servers.map { "server \($0) iburst" }.joined(separator: "\n"))
                    driftfile /var/lib/chrony/drift
                    makestep 1.0 3
                    rtcsync
                    logdir /var/log/chrony

                    """, notifies: ["restart chronyd"]),
                ServiceResource("chronyd"),
            ], handlers: [Handler(name: "restart chronyd", command: "systemctl restart chronyd")])
        }
    }
}
