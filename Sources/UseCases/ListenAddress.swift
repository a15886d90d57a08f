import Foundation
import Provision

/// Where the install server listens: `host:port` as given, or every address on the port of
/// the site's `install_server` URL.
public struct ListenAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `127.0.0.1:8080`, `[::1]:8080`; nil when it is not host:port.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        self.init(host: String(text[..<colon]), port: port)
    }

    public static func `default`(for site: Site) -> ListenAddress {
        ListenAddress(host: "0.0.0.0", port: URL(string: site.installServer)?.port ?? 80)
    }
}
