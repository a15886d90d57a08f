import Foundation
import Hummingbird
import ServiceLifecycle
import Logging
import NIOCore
import NIOPosix

/// The HTTP side of network installs. Serves the tree's `http/` files (iPXE scripts) and the
/// installer kernels, hands each armed host its install file with its token filled in, and
/// takes the installers' callbacks. The provisioning network is not trusted (docs/lifecycle.md):
/// a host's install file and callback are bound to its address.
///
/// - `GET /install/<host>/<file>`: 404 unless the host is armed and the peer is the host's
///   install address or a relay of its network (`site.install_relays`); the first such fetch
///   marks the host `installing` and binds it to that peer: a fetch from elsewhere is then
///   refused (404) and counted as an alarm.
/// - `POST /v1/hosts/<host>/installed` and `/failed`: form body `token=<token>` (or
///   `Authorization: Bearer <token>`), from the bound address; 204 when accepted, 403 for a
///   wrong or replayed token or another address. `installed` may carry `host_key=<the host's
///   ssh_host_ed25519_key.pub>` (URL-encoded): it is recorded and put in the host's known_hosts,
///   so the first SSH login is verified; a malformed key is refused with 400 before the token
///   is looked at. `failed` may carry `reason=<text>`, kept (cleaned) for `status`.
///
/// Every refusal is logged. Refused callbacks and fetches from an address a host is not bound
/// to are also counted, not recorded row by row in the state file (InstallRefusal); a fetch for
/// a host that is not armed is only logged (it is what every unarmed host's boot may ask).
/// A connection whose request headers have not ended after `headerTimeout` is closed.
public struct InstallServer: Sendable {
    public let lifecycle: InstallLifecycle
    public let host: String
    public let port: Int
    public let headerTimeout: Duration
    public let logger: Logger

    public init(lifecycle: InstallLifecycle, host: String, port: Int, headerTimeout: Duration = .seconds(30),
                logger: Logger = Logger(label: "provision.serve")) {
        self.lifecycle = lifecycle
        self.host = host
        self.port = port
        self.headerTimeout = headerTimeout
        self.logger = logger
    }

    /// The address could not be listened on (taken, not this machine's, a privileged port).
    public struct ListenFailure: Error, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var reason: String
        public var description: String { "cannot listen on \(host):\(port): \(reason)" }
    }

    /// Runs until SIGINT/SIGTERM, or until its task is cancelled; with `stopOnSignals` false
    /// only the latter (`up` runs it so: it handles the signals itself, and the server's own
    /// signal handling made a SIGTERM that came early get lost). `onListening` gets the bound port (useful
    /// with port 0).
    public func run(stopOnSignals: Bool = true, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        // Hummingbird's idle timeout runs from a connection's start and from each part of a
        // request read (never while a response is being sent): so it also bounds the wait for
        // a request's headers, and a connection whose headers never end is closed.
        let app = Application(
            router: Self.router(lifecycle: lifecycle, logger: logger),
            server: .http1(configuration: .init(idleTimeout: TimeAmount(headerTimeout))),
            configuration: .init(address: .hostname(host, port: port), serverName: "provision"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        var configuration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: stopOnSignals ? [.sigterm, .sigint] : [],
                                                      logger: logger)
        // A graceful shutdown waits for the transfers in flight (an installer's initrd, say):
        // not for ever behind a client that stalled. Then they are cancelled.
        configuration.maximumGracefulShutdownDuration = .seconds(10)
        let group = ServiceGroup(configuration: configuration)
        // Cancelling the caller's task (as `up` does once its hosts are done) shuts the server
        // down gracefully: the group runs in a task of its own, which the cancellation does not
        // reach (cancelled, the server logs errors about its connections on the way out).
        let running = Task { try await group.run() }
        defer { try? lifecycle.store.flushRefusals() }
        do {
            try await withTaskCancellationHandler {
                try await running.value
            } onCancel: {
                Task { await group.triggerGracefulShutdown() }
            }
        } catch let error as IOError where ["bind", "listen"].contains(where: error.description.hasPrefix) {
            throw ListenFailure(host: host, port: port, reason: String(cString: strerror(error.errnoCode)).lowercased())
        }
    }

    /// The install server's routes and file middlewares, apart from the server that runs them
    /// (the fuzz test drives them directly).
    static func router(lifecycle: InstallLifecycle, logger: Logger) -> Router<InstallRequestContext> {
        let router = Router(context: InstallRequestContext.self)
        router.get("/install/:host/:file") { request, context -> Response in
            let name = context.parameters.get("host") ?? "", file = context.parameters.get("file") ?? ""
            let peer = context.peer
            switch try await blocking({ try lifecycle.installFile(host: name, file: file, from: peer) }) {
            case .served(let content):
                logger.info("served install file \(name)/\(file) to \(peer)")
                return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: content)))
            case .notFound:
                logger.notice("refused install file \(name)/\(file) to \(peer): host not armed or no such file")
                return Response(status: .notFound)
            case .foreignPeer:
                logger.critical("ALARM: refused install file \(name)/\(file) to \(peer): not the address \(name) is bound to")
                return Response(status: .notFound)
            }
        }
        for (path, succeeded) in [("installed", true), ("failed", false)] {
            router.post("/v1/hosts/:host/\(path)") { request, context -> Response in
                let name = context.parameters.get("host") ?? ""
                let peer = context.peer
                let form = Self.form(String(buffer: try await request.body.collect(upTo: 4096)))
                let token = Self.token(authorization: request.headers[.authorization], form: form)
                var hostKey: SSHHostKey?
                if succeeded, let line = form["host_key"] {
                    do {
                        hostKey = try SSHHostKey(line: line)
                    } catch {
                        logger.warning("refused \(path) callback for \(name) from \(peer): \(error)")
                        try await blocking { try lifecycle.refuse(host: name, reason: .malformedHostKey, from: peer) }
                        return Response(status: .badRequest)
                    }
                }
                let reason = succeeded ? nil : form["reason"], reportedKey = hostKey
                let outcome = try await blocking {
                    try lifecycle.finish(host: name, presented: token ?? "", succeeded: succeeded, hostKey: reportedKey, reason: reason, from: peer)
                }
                switch outcome {
                case .accepted:
                    let key = hostKey.map { "; its host key \($0.type) \($0.fingerprint) is now the one known for it" } ?? ""
                    logger.notice("\(name) reported \(path) from \(peer); disarmed, boots its local disk from now on\(key)")
                    return Response(status: .noContent)
                case .notArmed:
                    logger.warning("refused \(path) callback for \(name) from \(peer): host is not armed (replayed or unsolicited)")
                    return Response(status: .forbidden)
                case .wrongToken:
                    logger.warning("refused \(path) callback for \(name) from \(peer): wrong token")
                    return Response(status: .forbidden)
                case .foreignPeer:
                    logger.critical("ALARM: refused \(path) callback for \(name) from \(peer): its token, but not the address that fetched its install file")
                    return Response(status: .forbidden)
                }
            }
        }
        router.middlewares.add(FileMiddleware("\(lifecycle.tree)/\(BootTree.http)", searchForIndexHtml: false, logger: logger))
        router.middlewares.add(FileMiddleware("\(lifecycle.tree)/\(BootTree.tftp)", searchForIndexHtml: false, logger: logger))
        return router
    }

    /// The state file's SQLite and the tree's files are read and written on NIO's pool of
    /// threads for blocking work, not on the few threads that every request's task shares.
    private static func blocking<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await NIOThreadPool.singleton.runIfActive(work)
    }

    /// The token from `Authorization: Bearer ...` or the form's `token`.
    static func token(authorization: String?, form: [String: String]) -> String? {
        if let authorization, authorization.hasPrefix("Bearer ") { return String(authorization.dropFirst(7)) }
        return form["token"]?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// An `application/x-www-form-urlencoded` body (`+` is a space); the first of a repeated name wins.
    static func form(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let name = decoded(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? decoded(parts[1]) : "" }
        }
        return fields
    }
}

/// Request context that knows the peer's address: the install server binds hosts to it.
struct InstallRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: Source) {
        self.init(source: source, remoteAddress: source.channel.remoteAddress)
    }

    /// With the peer given (the fuzz test's requests come from no socket).
    init(source: Source, remoteAddress: SocketAddress?) {
        coreContext = .init(source: source)
        self.remoteAddress = remoteAddress
    }

    /// The peer's IPv4 address (an IPv4-mapped IPv6 address as the IPv4 one), `unknown` without one.
    var peer: String {
        guard let address = remoteAddress?.ipAddress else { return "unknown" }
        return address.hasPrefix("::ffff:") && IPv4Address(String(address.dropFirst(7))) != nil ? String(address.dropFirst(7)) : address
    }
}
