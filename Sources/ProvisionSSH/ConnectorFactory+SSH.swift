import Provision

extension ConnectorFactory {
    /// Each host as its inventory's `connector:` says, SSH over libssh2 for the default `ssh`.
    public static let standard = ConnectorFactory.byInventory { host, options throws(ConnectionError) -> any Connector in
        try SSHConnection(SSHConnection.Options(for: host, options))
    }
}
