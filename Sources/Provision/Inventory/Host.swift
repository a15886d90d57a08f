import Foundation

/// One physical server, with every setting resolved (host > groups in order > defaults).
public struct Host: Sendable {
    public var name: String
    public var domain: String
    public var groups: [String]
    public var nics: [NIC]
    public var network: HostNetwork
    public var firmware: Firmware
    public var os: OperatingSystem
    public var disk: DiskLayout
    public var rootPasswordHash: String
    public var authorizedKeys: [String]
    public var timezone: String
    public var locale: String
    /// The serial console for the installer and the installed system (`ttyS0,115200n8`): what a
    /// BMC's serial-over-LAN shows. None: the firmware's screen.
    public var console: String? = nil
    public var proxy: String?
    public var roles: [String]
    /// Where each role is listed (its first listing), to report a role that is not defined.
    public var roleLocations: [String: SourceLocation] = [:]
    public var vars: [String: VarValue]
    public var bmc: BMC?
    /// A protected host is never reinstalled without an explicit override.
    public var isProtected: Bool
    public var ssh: SSHSettings
    /// How the engine reaches the host: over SSH (the default), or on the controller itself.
    public var connector: ConnectorSetting = .ssh
    /// Where the host's entry starts, for messages about the host as a whole.
    public var location: SourceLocation

    public var fqdn: String { "\(name).\(domain)" }
    /// Where SSH connects: `ssh.address`, else the host's network address; at `ssh.port`.
    public var sshAddress: SSHAddress { SSHAddress(host: ssh.address ?? network.address.description, port: ssh.port) }
    public var bootNIC: NIC { nics.first(where: \.boot) ?? nics[0] }
}

public struct NIC: Sendable, Hashable {
    public var name: String
    public var mac: MACAddress
    public var boot: Bool
}

public struct HostNetwork: Sendable {
    /// The device that carries the host's address: a NIC, bond, VLAN or bridge name.
    public var interface: String
    public var address: IPv4Address
    public var prefix: Int
    public var gateway: IPv4Address?
    public var dns: [IPv4Address]
    public var bonds: [Bond]
    public var vlans: [VLAN]
    public var bridges: [Bridge]

    public var netmask: IPv4Address { .netmask(prefix: prefix) }
}

public struct Bond: Sendable, Hashable {
    public var name: String
    public var interfaces: [String]
    public var mode: String
}

public struct VLAN: Sendable, Hashable {
    public var name: String
    public var id: Int
    public var link: String
}

public struct Bridge: Sendable, Hashable {
    public var name: String
    public var interfaces: [String]
}

public enum Firmware: String, Sendable, CaseIterable {
    case bios, uefi
}

public struct OperatingSystem: Sendable, Hashable {
    public enum Family: String, Sendable, CaseIterable {
        case debian, ubuntu, rocky, rhel, almalinux

        /// Which unattended-install format the family's installer reads.
        public var installer: Installer {
            switch self {
            case .debian: .preseed
            case .ubuntu: .autoinstall
            case .rocky, .rhel, .almalinux: .kickstart
            }
        }

        public var supportedReleases: [String] {
            switch self {
            case .debian: ["12"]
            case .ubuntu: ["22.04", "24.04"]
            case .rocky, .rhel, .almalinux: ["8", "9"]
            }
        }
    }

    public enum Installer: String, Sendable {
        case preseed, kickstart, autoinstall
    }

    public var family: Family
    public var release: String
    /// The package mirror the installer installs from, e.g. `http://deb.debian.org/debian`.
    public var mirror: String
}

public struct DiskLayout: Sendable, Hashable {
    public enum Layout: String, Sendable, CaseIterable { case plain, lvm }

    public var devices: [String]
    public var layout: Layout
    public var raid1: Bool
}

public struct BMC: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable { case redfish, ipmi }
    public var kind: Kind
    public var address: String
    public var username: String
    /// Never inline in the inventory: an environment variable or a file.
    public var password: Secret
    /// How the Redfish BMC's certificate is checked: the system store unless `ca_file` names
    /// a CA, or `insecure_tls: true` turns checking off.
    public var tls: TLSVerification = .systemTrust
    /// The Redfish ComputerSystem to control (e.g. `/redfish/v1/Systems/1`); the BMC's first
    /// system when absent.
    public var system: String?
}

public struct SSHSettings: Sendable, Hashable {
    public var user: String
    public var port: Int
    /// Where SSH connects when it is not the host's `network.address`: a name, or an address
    /// behind NAT or a port forward (the full-install test's VM is reached at 127.0.0.1:port).
    public var address: String?
    /// Private key file; `~/.ssh/id_ed25519` when absent.
    public var key: String?
    /// OpenSSH known_hosts file; `~/.ssh/known_hosts` when absent.
    public var knownHosts: String?

    /// `known_hosts`, else `~/.ssh/known_hosts` of the user whose home is `home`.
    public func knownHostsFile(home: String) -> String { knownHosts ?? "\(home)/.ssh/known_hosts" }
}

/// A host name or address and a port SSH connects to. Shown as OpenSSH names it in known_hosts:
/// `host` on port 22, `[host]:port` otherwise.
public struct SSHAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { port == 22 ? host : "[\(host)]:\(port)" }
}

/// The inventory's `connector:`: how the engine reaches a host.
public enum ConnectorSetting: Sendable, Hashable {
    /// Over SSH (`ssh:` says where and as whom).
    case ssh
    /// The controller itself, as root.
    case local
    /// A root directory on the controller (an image being built), through chroot.
    case chroot(String)
}

/// An inventory variable, kept as the text the user wrote: roles read them as they need.
public indirect enum VarValue: Sendable, Hashable {
    case string(String)
    /// `{secret_env: NAME}` or `{secret_file: PATH}`: read on the controller, never printed.
    case secret(Secret)
    case list([VarValue])
    case map([String: VarValue])
}
