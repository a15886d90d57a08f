import Foundation

/// Ties install state to the boot tree: arming a host and its installer's callback each change
/// the state file first and then rewrite that host's boot configs, so the next network boot
/// of the host does what the state says (install when armed, local disk otherwise).
public struct InstallLifecycle: Sendable {
    public let renderer: NetbootRenderer
    public let store: InstallStateStore
    /// The rendered tree's root directory.
    public let tree: String

    public init(renderer: NetbootRenderer, store: InstallStateStore, tree: String) {
        self.renderer = renderer
        self.store = store
        self.tree = tree
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

    /// An installer's report. When accepted the host goes back to local boot, and the host key
    /// it reported (authenticated by the token) becomes the one its known_hosts holds for it.
    public func finish(host name: String, presented token: String, succeeded: Bool, hostKey: SSHHostKey? = nil, from peer: String) throws -> InstallStateStore.CallbackOutcome {
        guard let host = renderer.inventory.host(named: name) else { return .notArmed }
        let outcome = try store.finish(host: name, presented: token, succeeded: succeeded, hostKey: hostKey, from: peer)
        if outcome == .accepted {
            try BootTreeWriter.update(renderer.bootFiles(for: host, armed: false), in: tree)
            if let hostKey { try Self.trust(hostKey, of: host) }
        }
        return outcome
    }

    /// Puts a host's key in the known_hosts file its SSH connections verify against (the
    /// inventory's `ssh.known_hosts`, else ~/.ssh/known_hosts), under the address they connect to.
    public static func trust(_ key: SSHHostKey, of host: Host) throws {
        let ssh = SSHConnection.Options(for: host)
        try KnownHosts(path: ssh.knownHosts).trust(host: ssh.host, port: ssh.port, key: key)
    }

    /// The install file for a host's installer, with its token filled in; nil unless armed.
    public func installFile(host name: String, file: String) throws -> String? {
        guard let host = renderer.inventory.host(named: name),
              BootTree.installFileNames(host.os.family.installer).contains(file),
              let content = try? String(contentsOfFile: "\(tree)/\(BootTree.installDirectory(host: name))/\(file)", encoding: .utf8),
              let token = try store.recordFetch(host: name) else { return nil }
        return content.replacingOccurrences(of: InstallToken.marker, with: token.value)
    }
}
