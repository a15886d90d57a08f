/// Why a connector could not reach a host or run a script there, with the transport's own
/// message where it has one. The kind tells what waiting may cure: the engine retries a host
/// that did not answer (`connect`, `timeout`), never one that refused who we are.
public struct ConnectionError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// The host is not there (yet): no answer, refused, no such address or root directory.
        case connect
        /// The transport's greeting failed (SSH's handshake).
        case handshake
        /// The host's key is not in known_hosts, or is not the one recorded there.
        case hostKeyUnknown, hostKeyChanged
        /// The host (or the controller) refused to run scripts as root for us.
        case authentication
        /// A script could not be started, fed or read.
        case channel
        /// Nothing came within the time allowed.
        case timeout
    }

    public var kind: Kind
    public var message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
