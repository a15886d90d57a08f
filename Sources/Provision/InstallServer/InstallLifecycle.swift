import Foundation

/// Ties install state to the boot tree: arming a host and its installer's callback each change
/// the state file first and then rewrite that host's boot configs, so the next network boot
/// of the host does what the state says (install when armed, local disk otherwise).
public struct InstallLifecycle: Sendable {
    public let renderer: NetbootRenderer
    public let store: InstallStateStore
    /// The rendered tree's root directory.
    public let tree: String
    /// The home whose `~/.ssh/known_hosts` records reported host keys (for hosts whose
    /// inventory names no `ssh.known_hosts`): the operator's, whose later SSH verifies them.
    public let homeDirectory: String

    public init(renderer: NetbootRenderer, store: InstallStateStore, tree: String, homeDirectory: String) {
        self.renderer = renderer
        self.store = store
        self.tree = tree
        self.homeDirectory = homeDirectory
    }

    /// Arms hosts for install (state first: should rewriting a boot config then fail, the host
    /// boots its disk and the fetch of an install file it does not reach does no harm).
    public func arm(_ hosts: [Host]) throws {
        try store.arm(hosts.map(\.name))
        for host in hosts {
            try BootTreeWriter.update(renderer.bootFiles(for: host, armed: true), in: tree)
        }
    }

    public func disarm(_ hosts: [Host]) throws {
        try store.disarm(hosts.map(\.name))
        for host in hosts {
            try BootTreeWriter.update(renderer.bootFiles(for: host, armed: false), in: tree)
        }
    }

    /// An installer's report, from `peer`. When accepted the host goes back to local boot, and
    /// the host key it reported (authenticated by the token and the address) becomes the one
    /// its known_hosts holds for it. A failure's `reason` is kept (cleaned) for `status`.
    public func finish(host name: String, presented token: String, succeeded: Bool, hostKey: SSHHostKey? = nil, reason: String? = nil,
                       from peer: String) throws -> InstallStateStore.CallbackOutcome {
        guard let host = renderer.inventory.host(named: name) else {
            try refuse(host: name, reason: .unknownHost, from: peer)
            return .notArmed
        }
        let outcome = try store.finish(host: name, presented: token, succeeded: succeeded, hostKey: hostKey, reason: reason,
                                       from: peer, addresses: installAddresses(of: host))
        if outcome == .accepted {
            try BootTreeWriter.update(renderer.bootFiles(for: host, armed: false), in: tree)
            if let hostKey { try trust(hostKey, of: host) }
        }
        return outcome
    }

    /// A callback refused before its token was looked at (a malformed body, a name that is no
    /// host): counted, nothing changes. Names that are no host of the inventory count under `*`.
    public func refuse(host name: String, reason: InstallRefusal.Reason, from peer: String) throws {
        let known = renderer.inventory.host(named: name) != nil
        try store.refuse(host: known ? name : InstallRefusal.anyHost, reason: known ? reason : .unknownHost, from: peer)
    }

    /// Puts a host's key in the known_hosts file its SSH connections verify against (the
    /// inventory's `ssh.known_hosts`, else ~/.ssh/known_hosts), under the address they connect to.
    public func trust(_ key: SSHHostKey, of host: Host) throws {
        try KnownHosts(path: host.ssh.knownHostsFile(home: homeDirectory)).trust(host: host.sshAddress.host, port: host.sshAddress.port, key: key)
    }

    /// The addresses a host's installer may reach the install server from: the host's own
    /// (its fixed DHCP lease or static install address), and the relays of its network.
    public func installAddresses(of host: Host) -> Set<String> {
        var addresses: Set<String> = [host.network.address.description]
        for relay in renderer.inventory.site.installRelays where relay.covers(host.network.address) {
            addresses.insert(relay.from.description)
        }
        return addresses
    }

    public enum InstallFile: Sendable, Equatable {
        /// The file, its token filled in.
        case served(String)
        /// No such host or file, or the host is not armed.
        case notFound
        /// The host is armed but `peer` is not the address it is bound to: refused and counted as an alarm.
        case foreignPeer
    }

    /// The install file for a host's installer, asked for from `peer`.
    public func installFile(host name: String, file: String, from peer: String) throws -> InstallFile {
        guard let host = renderer.inventory.host(named: name),
              BootTree.installFileNames(host.os.family.installer).contains(file),
              let content = try? String(contentsOfFile: "\(tree)/\(BootTree.installDirectory(host: name))/\(file)", encoding: .utf8) else { return .notFound }
        switch try store.recordFetch(host: name, from: peer, addresses: installAddresses(of: host)) {
        case .served(let token): return .served(content.replacingOccurrences(of: InstallToken.marker, with: token.value))
        case .notArmed: return .notFound
        case .foreignPeer: return .foreignPeer
        }
    }
}
