import Foundation

/// Makes the connector for a host. The engine, bring-up and `facts` take one instead of
/// choosing a transport themselves, so their caller decides how hosts are reached: the command
/// line each as its inventory entry says (`.standard`, from ProvisionSSH), a test through a
/// factory of its own (one that counts connections, say).
public struct ConnectorFactory: Sendable {
    public typealias Connect = @Sendable (Host, ConnectOptions) throws(ConnectionError) -> any Connector

    private let make: Connect

    public init(_ make: @escaping Connect) {
        self.make = make
    }

    /// A new connection to `host` (the engine makes one per host, and one more after each
    /// guarded change to confirm it).
    public func connect(_ host: Host, _ options: ConnectOptions) throws(ConnectionError) -> any Connector {
        try make(host, options)
    }

    /// Each host as its inventory's `connector:` says: over SSH through `ssh` (libssh2 is in
    /// the ProvisionSSH target, which passes its connector here), or on the controller itself,
    /// in its own root (`local`) or a root directory's (`chroot`).
    public static func byInventory(ssh: @escaping Connect) -> ConnectorFactory {
        ConnectorFactory { host, options throws(ConnectionError) -> any Connector in
            switch host.connector {
            case .ssh: try ssh(host, options)
            case .local: try ControllerConnector(root: nil, options: options)
            case .chroot(let root): try ControllerConnector(root: root, options: options)
            }
        }
    }
}

/// What a connection is allowed: how long to wait for the host, and for any one script's output.
public struct ConnectOptions: Sendable {
    /// How long the host may take to answer.
    public var connectTimeout: Duration
    /// How long the controller waits on a script's output before it gives up on the script (the
    /// engine bounds scripts on the host too, and gives this a grace period beyond that).
    public var commandTimeout: Duration
    /// Accept and record a host key that known_hosts does not have (never a changed one).
    public var acceptNewHostKey: Bool

    public init(connectTimeout: Duration = .seconds(10), commandTimeout: Duration = .seconds(300), acceptNewHostKey: Bool = false) {
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.acceptNewHostKey = acceptNewHostKey
    }
}
