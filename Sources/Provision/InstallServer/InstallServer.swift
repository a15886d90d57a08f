import Foundation
import Hummingbird
import ServiceLifecycle
import Logging
import NIOCore

/// The HTTP side of network installs. Serves the tree's `http/` files (iPXE scripts) and the
/// installer kernels, hands each armed host its install file with its token filled in, and
/// takes the installers' callbacks:
///
/// - `GET /install/<host>/<file>`: 404 unless the host is armed; marks it `installing`.
/// - `POST /v1/hosts/<host>/installed` and `/failed`: form body `token=<token>` (or
///   `Authorization: Bearer <token>`); 204 when accepted, 403 for a wrong or replayed token.
///   `installed` may carry `host_key=<the host's ssh_host_ed25519_key.pub>` (URL-encoded): it is
///   recorded and put in the host's known_hosts, so the first SSH login is verified; a
///   malformed key is refused with 400 (and logged) before the token is looked at.
public struct InstallServer: Sendable {
    public let lifecycle: InstallLifecycle
    public let host: String
    public let port: Int
    public let logger: Logger

    public init(lifecycle: InstallLifecycle, host: String, port: Int, logger: Logger = Logger(label: "provision.serve")) {
        self.lifecycle = lifecycle
        self.host = host
        self.port = port
        self.logger = logger
    }

    /// Runs until SIGINT/SIGTERM, or until its task is cancelled; with `stopOnSignals` false
    /// only the latter (`up` runs it so: it handles the signals itself, and the server's own
    /// signal handling made a SIGTERM that came early get lost). `onListening` gets the bound port (useful
    /// with port 0).
    public func run(stopOnSignals: Bool = true, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = Router(context: InstallRequestContext.self)
        let lifecycle = self.lifecycle
        let logger = self.logger

        router.get("/install/:host/:file") { request, context -> Response in
            let name = context.parameters.get("host") ?? "", file = context.parameters.get("file") ?? ""
            let peer = context.peer
            guard let content = try lifecycle.installFile(host: name, file: file) else {
                logger.notice("refused install file \(name)/\(file) to \(peer): host not armed or no such file")
                return Response(status: .notFound)
            }
            logger.info("served install file \(name)/\(file) to \(peer)")
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: content)))
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
                        try lifecycle.store.refuse(host: name, reason: "\(error)", from: peer)
                        return Response(status: .badRequest)
                    }
                }
                let outcome = try lifecycle.finish(host: name, presented: token ?? "", succeeded: succeeded, hostKey: hostKey, from: peer)
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
                }
            }
        }
        router.middlewares.add(FileMiddleware("\(lifecycle.tree)/\(BootTree.http)", searchForIndexHtml: false, logger: logger))
        router.middlewares.add(FileMiddleware("\(lifecycle.tree)/\(BootTree.tftp)", searchForIndexHtml: false, logger: logger))

        let app = Application(
            router: router,
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
        try await withTaskCancellationHandler {
            try await running.value
        } onCancel: {
            Task { await group.triggerGracefulShutdown() }
        }
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

/// Request context that knows the peer's address, for the log of who fetched or called back.
struct InstallRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    var peer: String { remoteAddress?.ipAddress ?? "unknown" }
}
