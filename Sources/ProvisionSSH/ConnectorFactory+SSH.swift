import Foundation
import Provision

extension ConnectorFactory {
    /// Each host as its inventory's `connector:` says, SSH over libssh2 for the default `ssh`:
    /// the agent that `environment`'s SSH_AUTH_SOCK names, keys and known_hosts under `home`
    /// where the inventory names none.
    public static func standard(environment: [String: String], home: String) -> ConnectorFactory {
        ConnectorFactory.byInventory { host, options throws(ConnectionError) -> any Connector in
            try SSHConnection(SSHConnection.Options(for: host, options, environment: environment, home: home))
        }
    }

    /// `standard` with this process's environment and home: for code that runs without a
    /// context (tests, benchmarks); use cases take their context's `connectors`.
    public static var standard: ConnectorFactory { standard(environment: ProcessInfo.processInfo.environment, home: NSHomeDirectory()) }
}
