import Foundation

/// An error of a Redfish BMC, of a kind that says what to do about it (the CLI's exit code).
public struct RedfishError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// Connection refused, address unresolvable, or the connection dropped.
        case unreachable
        /// No answer in time, on every attempt.
        case timeout
        /// The BMC's certificate is not trusted, or TLS failed otherwise.
        case tls
        /// The BMC refused the username or password (401), or the user's rights (403).
        case authentication
        /// The BMC refused the request (another 4xx).
        case refused
        /// The BMC failed (5xx), on every attempt.
        case server
        /// The answer is not the Redfish resource expected.
        case invalidResponse
        /// The BMC cannot be used as configured: not Redfish, or its password is not available.
        case configuration
    }

    public var kind: Kind
    public var message: String

    public var description: String { message }

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// A failed request, after `attempts` tries, explained for the operator.
    init(_ error: HTTPError, bmc: BMC, attempts: Int) {
        let tried = attempts > 1 ? " (\(attempts) attempts)" : ""
        switch error.kind {
        case .timeout:
            self.init(kind: .timeout, message: "\(error.message)\(tried)")
        case .tlsVerification:
            self.init(kind: .tls, message: "\(error.message): the BMC's certificate is not trusted; name the CA that signed it with 'ca_file' in the host's bmc")
        case .tls:
            self.init(kind: .tls, message: error.message)
        case .connectionRefused, .connect, .transfer:
            self.init(kind: .unreachable, message: "\(error.message)\(tried)")
        case .status(let status) where status == 401 || status == 403:
            self.init(kind: .authentication, message: "\(error.message): the BMC refused user '\(bmc.username)' with the password \(bmc.password)\(Self.reason(error.body))")
        case .status(let status) where status < 500:
            self.init(kind: .refused, message: "\(error.message)\(Self.reason(error.body))")
        case .status:
            self.init(kind: .server, message: "\(error.message)\(Self.reason(error.body))\(tried)")
        }
    }

    /// What a Redfish error object says (its extended messages, else its message), as ": ...".
    private static func reason(_ body: Data) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let error = object["error"] as? [String: Any] else { return "" }
        let extended = (error["@Message.ExtendedInfo"] as? [[String: Any]] ?? []).compactMap { $0["Message"] as? String }
        let messages = extended.isEmpty ? [error["message"] as? String].compactMap { $0 } : extended
        return messages.isEmpty ? "" : ": " + messages.joined(separator: "; ")
    }
}
