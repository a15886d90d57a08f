import CLibSSH2
import Foundation
import Provision

/// One SSH session to one host over libssh2: connect with a timeout, verify the host key
/// against OpenSSH known_hosts (strict unless new keys are explicitly accepted), authenticate
/// with ssh-agent or key files, run commands (as root through `sudo -n` when logged in as
/// another user): the engine's `Connector` for hosts reached over SSH. libssh2 sessions are
/// not thread-safe: a connection belongs to one task at a time, which is why this type is not
/// Sendable.
///
/// This is the only file that imports CLibSSH2.
public final class SSHConnection: Connector {
    /// A way to prove who we are, tried in order until the server accepts one.
    public enum Identity: Sendable, Equatable {
        /// A private key file (ed25519, ECDSA or RSA; unencrypted: runs are unattended).
        case keyFile(String)
        /// Every key the ssh-agent listening on this socket (`SSH_AUTH_SOCK`) holds.
        case agent(socket: String)
    }

    public struct Options: Sendable {
        public var host: String
        public var port: Int
        public var user: String
        public var identities: [Identity]
        public var knownHosts: String
        public var connectTimeout: Duration
        public var commandTimeout: Duration
        /// Accept and record a host key that known_hosts does not have (never a changed one).
        public var acceptNewHostKey: Bool

        public init(host: String, port: Int = 22, user: String = "root", identities: [Identity], knownHosts: String,
                    connectTimeout: Duration = .seconds(10), commandTimeout: Duration = .seconds(300), acceptNewHostKey: Bool = false) {
            self.host = host
            self.port = port
            self.user = user
            self.identities = identities
            self.knownHosts = knownHosts
            self.connectTimeout = connectTimeout
            self.commandTimeout = commandTimeout
            self.acceptNewHostKey = acceptNewHostKey
        }
    }

    public let options: Options
    private let socket: Int32
    private let session: OpaquePointer
    /// How many exec channels this connection opened (the benchmarks count round trips).
    public private(set) var execCount = 0

    private static let initialized: Bool = libssh2_init(0) == 0

    public init(_ options: Options) throws(ConnectionError) {
        self.options = options
        guard Self.initialized else { throw ConnectionError(kind: .connect, message: "libssh2_init failed") }
        socket = try Self.connect(host: options.host, port: options.port, timeout: options.connectTimeout)
        guard let session = provision_ssh2_session_init() else {
            close(socket)
            throw ConnectionError(kind: .connect, message: "libssh2 could not create a session")
        }
        self.session = session
        libssh2_session_set_blocking(session, 1)
        libssh2_session_set_timeout(session, Self.milliseconds(options.connectTimeout))
        // From here on a failure runs deinit (every stored property is set), which frees the
        // session and closes the socket: freeing them here too would free them twice.
        try handshakeAndVerify()
        try authenticate()
        libssh2_session_set_timeout(session, Self.milliseconds(options.commandTimeout))
    }

    deinit {
        _ = provision_ssh2_session_disconnect(session, "provision done")
        libssh2_session_free(session)
        close(socket)
    }

    private var target: String { "\(options.user)@\(options.host):\(options.port)" }

    /// libssh2's description of its last error.
    private func lastError() -> String {
        var message: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        let code = libssh2_session_last_error(session, &message, &length, 0)
        let text = message.map { String(cString: $0) } ?? "unknown error"
        return code == LIBSSH2_ERROR_TIMEOUT ? "timed out (\(text))" : text
    }

    private func handshakeAndVerify() throws(ConnectionError) {
        let known = KnownHosts(path: options.knownHosts)
        let types = known.keyTypes(host: options.host, port: options.port)
        if !types.isEmpty {
            _ = libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, types.joined(separator: ","))
        }
        guard libssh2_session_handshake(session, socket) == 0 else {
            // A server that accepts TCP and never speaks (hung, overloaded) is a timeout: worth a retry.
            let kind: ConnectionError.Kind = libssh2_session_last_errno(session) == LIBSSH2_ERROR_TIMEOUT ? .timeout : .handshake
            throw ConnectionError(kind: kind, message: "\(target): SSH handshake failed: \(lastError())")
        }
        var length = 0
        var type: Int32 = 0
        guard let raw = libssh2_session_hostkey(session, &length, &type) else {
            throw ConnectionError(kind: .handshake, message: "\(target): the server sent no host key")
        }
        let key = Data(bytes: raw, count: length)
        let (typeName, typeMask) = Self.keyType(type)

        guard let hosts = libssh2_knownhost_init(session) else { throw ConnectionError(kind: .handshake, message: lastError()) }
        defer { libssh2_knownhost_free(hosts) }
        if FileManager.default.fileExists(atPath: options.knownHosts),
           libssh2_knownhost_readfile(hosts, options.knownHosts, LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0 {
            throw ConnectionError(kind: .handshake, message: "cannot read known_hosts \(options.knownHosts): \(lastError())")
        }
        let check = key.withUnsafeBytes { bytes in
            libssh2_knownhost_checkp(hosts, options.host, Int32(options.port), bytes.baseAddress, length,
                                     LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | typeMask, nil)
        }
        switch check {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH:
            return
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
            throw ConnectionError(kind: .hostKeyChanged, message: """
                \(target): HOST KEY CHANGED. The \(typeName) key the server offers is not the one in \(options.knownHosts). \
                Someone may be intercepting the connection, or the host was reinstalled. Refusing to connect; \
                if the change is expected, remove the old entry (ssh-keygen -R \(SSHAddress(host: options.host, port: options.port)) -f \(options.knownHosts)).
                """)
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND where options.acceptNewHostKey:
            do {
                try known.append(host: options.host, port: options.port, keyType: typeName, key: key)
            } catch {
                throw ConnectionError(kind: .handshake, message: "\(target): cannot record the new host key: \(error)")
            }
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
            throw ConnectionError(kind: .hostKeyUnknown, message: """
                \(target): host key (\(typeName)) not in \(options.knownHosts). Add it, or accept new keys explicitly \
                with --accept-new-host-keys.
                """)
        default:
            throw ConnectionError(kind: .handshake, message: "\(target): host key check failed: \(lastError())")
        }
    }

    private func authenticate() throws(ConnectionError) {
        var tried: [String] = []
        for identity in options.identities {
            switch identity {
            case .keyFile(let path):
                if provision_ssh2_userauth_publickey_fromfile(session, options.user, path, nil) == 0 { return }
                tried.append("key \(path) (\(lastError()))")
            case .agent(let socket):
                if authenticateWithAgent(socket: socket, tried: &tried) { return }
            }
        }
        let what = tried.isEmpty ? "no identity to offer (set ssh.key in the inventory, or run an ssh-agent)" : tried.joined(separator: "; ")
        throw ConnectionError(kind: .authentication, message: "\(target): public key authentication failed: \(what)")
    }

    /// Offers each key of the agent in turn; false (with what went wrong in `tried`) if none was accepted.
    private func authenticateWithAgent(socket: String, tried: inout [String]) -> Bool {
        guard let agent = libssh2_agent_init(session) else {
            tried.append("ssh-agent (\(lastError()))")
            return false
        }
        defer { libssh2_agent_free(agent) }
        libssh2_agent_set_identity_path(agent, socket)
        guard libssh2_agent_connect(agent) == 0 else {
            tried.append("ssh-agent at \(socket) (cannot connect: \(lastError()))")
            return false
        }
        defer { libssh2_agent_disconnect(agent) }
        guard libssh2_agent_list_identities(agent) == 0 else {
            tried.append("ssh-agent (cannot list its keys: \(lastError()))")
            return false
        }
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        var current: UnsafeMutablePointer<libssh2_agent_publickey>?
        var offered = 0
        while libssh2_agent_get_identity(agent, &current, previous) == 0, let identity = current {
            offered += 1
            if libssh2_agent_userauth(agent, options.user, identity) == 0 { return true }
            previous = identity
        }
        tried.append(offered == 0 ? "ssh-agent (it holds no keys)" : "ssh-agent (none of its \(offered) keys was accepted)")
        return false
    }

    /// Runs a script as root: as it is when logged in as root, else through `sudo -n` (never
    /// a password prompt: a user without passwordless sudo fails with sudo's own message).
    /// stdin gets `input`.
    public func executeAsRoot(_ script: String, input: String? = nil) throws(ConnectionError) -> CommandResult {
        try execute(asRoot(script), input: input)
    }

    private func asRoot(_ script: String) -> String {
        options.user == "root" ? script : "sudo -n -- sh -c \(Shell.quote(script))"
    }

    /// A script left running as root on a channel of its own while other commands run (a lock
    /// holder). It runs until `release()` sends it EOF on stdin, or the session ends.
    private final class HeldChannel: HeldCommand {
        private let channel: OpaquePointer
        /// Keeps the session alive as long as its channel.
        private let connection: SSHConnection
        private var released = false

        init(channel: OpaquePointer, connection: SSHConnection) {
            self.channel = channel
            self.connection = connection
        }

        /// Sends EOF, waits for the script to finish its cleanup, closes the channel.
        func release() {
            guard !released else { return }
            released = true
            _ = provision_ssh2_channel_send_eof(channel)
            var buffer = [CChar](repeating: 0, count: 4096)
            while provision_ssh2_channel_read(channel, 0, &buffer, buffer.count) > 0 {}
            libssh2_channel_close(channel)
            libssh2_channel_wait_closed(channel)
        }

        deinit {
            release()
            libssh2_channel_free(channel)
        }
    }

    /// `Connector.hold`: the script on an exec channel of its own.
    public func hold(_ script: String, ready: String) throws(ConnectionError) -> HoldAttempt {
        let channel = try start(asRoot(script))
        var output = [UInt8]()
        var buffer = [CChar](repeating: 0, count: 4096)
        while true {
            let stdout = String(decoding: output, as: UTF8.self)
            if let lines = HoldAttempt.lines(before: ready, in: stdout) {
                return HoldAttempt(lines: lines, held: HeldChannel(channel: channel, connection: self), status: 0)
            }
            let count = provision_ssh2_channel_read(channel, 0, &buffer, buffer.count)
            if count > 0 {
                output += buffer[0..<count].map { UInt8(bitPattern: $0) }
            } else if count == 0 {
                let stderr = (try? read(channel, stream: SSH_EXTENDED_DATA_STDERR)) ?? ""
                libssh2_channel_close(channel)
                libssh2_channel_wait_closed(channel)
                let status = libssh2_channel_get_exit_status(channel)
                libssh2_channel_free(channel)
                return .ended(stdout: stdout, stderr: stderr, status: status)
            } else {
                libssh2_channel_free(channel)
                let kind: ConnectionError.Kind = count == Int(LIBSSH2_ERROR_TIMEOUT) ? .timeout : .channel
                throw ConnectionError(kind: kind, message: "\(target): reading command output: \(lastError())")
            }
        }
    }

    /// Runs one command on one new exec channel; stdin gets `input` (then EOF).
    public func execute(_ command: String, input: String? = nil) throws(ConnectionError) -> CommandResult {
        let channel = try start(command)
        defer { libssh2_channel_free(channel) }
        if let input {
            var remaining = Array(input.utf8)
            while !remaining.isEmpty {
                let written = remaining.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { provision_ssh2_channel_write(channel, $0.baseAddress, $0.count) }
                }
                guard written > 0 else { throw ConnectionError(kind: .channel, message: "\(target): cannot send input: \(lastError())") }
                remaining.removeFirst(written)
            }
        }
        _ = provision_ssh2_channel_send_eof(channel)
        let stdout = try read(channel, stream: 0)
        let stderr = try read(channel, stream: SSH_EXTENDED_DATA_STDERR)
        libssh2_channel_close(channel)
        libssh2_channel_wait_closed(channel)
        return CommandResult(status: libssh2_channel_get_exit_status(channel), stdout: stdout, stderr: stderr)
    }

    /// Opens an exec channel and starts `command` on it (counted in `execCount`); the caller
    /// frees the channel.
    private func start(_ command: String) throws(ConnectionError) -> OpaquePointer {
        guard let channel = provision_ssh2_channel_open_session(session) else {
            throw ConnectionError(kind: .channel, message: "\(target): cannot open a channel: \(lastError())")
        }
        execCount += 1
        guard command.withCString({ provision_ssh2_channel_exec(channel, $0, UInt32(strlen($0))) }) == 0 else {
            libssh2_channel_free(channel)
            throw ConnectionError(kind: .channel, message: "\(target): cannot start the command: \(lastError())")
        }
        return channel
    }

    /// Reads a stream to EOF. stdout first, then stderr: libssh2 buffers the other stream
    /// meanwhile (up to its window), which suffices for probe and fix scripts.
    private func read(_ channel: OpaquePointer, stream: Int32) throws(ConnectionError) -> String {
        var output = [UInt8]()
        var buffer = [CChar](repeating: 0, count: 32768)
        while true {
            let count = provision_ssh2_channel_read(channel, stream, &buffer, buffer.count)
            if count > 0 {
                output += buffer[0..<count].map { UInt8(bitPattern: $0) }
            } else if count == 0 || libssh2_channel_eof(channel) != 0 && count == Int(LIBSSH2_ERROR_EAGAIN) {
                break
            } else {
                let kind: ConnectionError.Kind = count == Int(LIBSSH2_ERROR_TIMEOUT) ? .timeout : .channel
                throw ConnectionError(kind: kind, message: "\(target): reading command output: \(lastError())")
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func keyType(_ type: Int32) -> (name: String, mask: Int32) {
        switch type {
        case LIBSSH2_HOSTKEY_TYPE_ED25519: ("ssh-ed25519", LIBSSH2_KNOWNHOST_KEY_ED25519)
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: ("ecdsa-sha2-nistp256", LIBSSH2_KNOWNHOST_KEY_ECDSA_256)
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: ("ecdsa-sha2-nistp384", LIBSSH2_KNOWNHOST_KEY_ECDSA_384)
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: ("ecdsa-sha2-nistp521", LIBSSH2_KNOWNHOST_KEY_ECDSA_521)
        case LIBSSH2_HOSTKEY_TYPE_RSA: ("ssh-rsa", LIBSSH2_KNOWNHOST_KEY_SSHRSA)
        default: ("unknown", LIBSSH2_KNOWNHOST_KEY_UNKNOWN)
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    /// A TCP connection with a timeout (a non-blocking connect, then poll).
    private static func connect(host: String, port: Int, timeout: Duration) throws(ConnectionError) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var info: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &info) == 0, let first = info else {
            throw ConnectionError(kind: .connect, message: "\(host):\(port): cannot resolve the address")
        }
        defer { freeaddrinfo(info) }
        let fd = Glibc.socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ConnectionError(kind: .connect, message: "\(host):\(port): socket: \(String(cString: strerror(errno)))") }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        if Glibc.connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 && errno != EINPROGRESS {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ConnectionError(kind: .connect, message: "\(host):\(port): cannot connect: \(reason)")
        }
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let deadline = ContinuousClock.now + timeout
        var ready: Int32
        repeat {  // a signal handled on this thread interrupts poll: wait out the rest
            ready = poll(&poller, 1, Int32(max(0, milliseconds(deadline - ContinuousClock.now))))
        } while ready < 0 && errno == EINTR
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        guard ready > 0, error == 0 else {
            close(fd)
            let reason = ready == 0 ? "no answer within \(timeout)" : String(cString: strerror(error))
            throw ConnectionError(kind: ready == 0 ? .timeout : .connect, message: "\(host):\(port): cannot connect: \(reason)")
        }
        _ = fcntl(fd, F_SETFL, flags)
        return fd
    }
}
