import Foundation

/// Requests to the install server that it refused, counted per host, reason and peer address
/// (one row each in the state file, however many such requests came), so a flood of bad
/// requests cannot grow the state without bound.
public struct InstallRefusal: Sendable, Equatable, Encodable {
    public enum Reason: String, Sendable, Encodable, CaseIterable {
        /// A callback for a name that is no host of the inventory.
        case unknownHost = "unknown-host"
        /// A callback for a host that is not armed (never was, or already reported: a replay).
        case notArmed = "not-armed"
        case wrongToken = "wrong-token"
        /// An `installed` callback whose `host_key` is not one public key line.
        case malformedHostKey = "malformed-host-key"
        /// Alarm: an armed host's install file asked for from an address it is not bound to.
        case foreignFetch = "foreign-fetch"
        /// Alarm: a callback with the host's valid token from an address other than the one that
        /// fetched its install file: the token left the host.
        case foreignCallback = "foreign-callback"

        /// Alarms say that someone other than the host has, or tried to get, its secrets.
        public var isAlarm: Bool { self == .foreignFetch || self == .foreignCallback }

        public var summary: String {
            switch self {
            case .unknownHost: "callback for a host the inventory does not have"
            case .notArmed: "callback for a host that is not armed (replayed or unsolicited)"
            case .wrongToken: "callback with a wrong token"
            case .malformedHostKey: "callback with a malformed host key"
            case .foreignFetch: "ALARM: install file asked for from an address not bound to the host"
            case .foreignCallback: "ALARM: callback with the host's token from an address other than the one that fetched its file"
            }
        }
    }

    /// The host named in the request; `unknownHost` refusals all count under `*`.
    public var host: String
    public var reason: Reason
    /// The peer's address; `*` once the table is full (`InstallStateStore.refusalCapacity`):
    /// further peers of the same host and reason count together.
    public var peer: String
    public var count: Int
    public var firstAt: Date
    public var lastAt: Date
    public var alarm: Bool { reason.isAlarm }

    /// The host under which a refusal for a name counts.
    static let anyHost = "*"
    /// The peer under which refusals count once the table is full.
    static let anyPeer = "*"

    struct Key: Hashable {
        var host: String
        var reason: Reason
        var peer: String
    }

    var key: Key { Key(host: host, reason: reason, peer: peer) }

    private enum CodingKeys: String, CodingKey { case host, reason, peer, count, firstAt, lastAt, alarm }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(host, forKey: .host)
        try container.encode(reason, forKey: .reason)
        try container.encode(peer, forKey: .peer)
        try container.encode(count, forKey: .count)
        try container.encode(firstAt, forKey: .firstAt)
        try container.encode(lastAt, forKey: .lastAt)
        try container.encode(alarm, forKey: .alarm)
    }
}
