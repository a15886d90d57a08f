import CCurl
import Foundation

/// How the certificate of an HTTPS server is checked.
public enum TLSVerification: Sendable, Hashable {
    /// Against the system's trust store.
    case systemTrust
    /// Against the CAs in this PEM file only (a BMC's self-signed or site CA).
    case caFile(String)
    /// Not at all: anyone on the path could read the credentials. Only on explicit request.
    case insecure
}

/// An error of one HTTP exchange, carrying libcurl's own message.
public struct HTTPError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable, CustomStringConvertible {
        /// The connect or total timeout passed.
        case timeout
        /// The server's certificate is not trusted or does not name the host.
        case tlsVerification
        /// Any other TLS failure (handshake, unreadable CA file, a server not speaking TLS).
        case tls
        /// Nothing listens at the address.
        case connectionRefused
        /// The address does not resolve, or the network is unreachable.
        case connect
        /// The connection broke or closed mid-exchange.
        case transfer
        /// The server answered with this status (400 and above).
        case status(Int)

        public var description: String {
            switch self {
            case .timeout: "timed out"
            case .tlsVerification: "certificate not trusted"
            case .tls: "TLS failed"
            case .connectionRefused: "connection refused"
            case .connect: "cannot connect"
            case .transfer: "connection lost"
            case .status(let status): String(status)
            }
        }
    }

    public var kind: Kind
    /// The request, as "METHOD URL".
    public var request: String
    /// What went wrong, in libcurl's words where it said.
    public var reason: String
    /// The answer's body for `.status`, which often says why (a Redfish error object, say).
    public var body: Data = Data()

    public var message: String { "\(request): \(reason)" }
    public var description: String { message }
}

/// One HTTP(S) request: JSON in and out (a Redfish call) unless told otherwise, HTTP basic
/// authentication.
public struct HTTPRequest: Sendable {
    public enum Method: Sendable {
        case get
        case post(json: Data)
        case patch(json: Data)

        public var name: String {
            switch self {
            case .get: "GET"
            case .post: "POST"
            case .patch: "PATCH"
            }
        }
    }

    public var method: Method
    public var url: String
    public var username: String?
    public var password: String?
    public var headers: [String]

    /// What a Redfish service expects of every request.
    public static let jsonHeaders = ["Accept: application/json", "Content-Type: application/json", "OData-Version: 4.0"]

    public init(_ method: Method, url: String, username: String? = nil, password: String? = nil, headers: [String] = jsonHeaders) {
        self.method = method
        self.url = url
        self.username = username
        self.password = password
        self.headers = headers
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var body: Data
}

/// Blocking HTTP(S) requests over libcurl, one easy handle per request. A call holds its
/// thread until the answer or the timeout: fine on the engine's threads; async code runs it
/// through `DedicatedThread`.
///
/// This is the only file that imports CCurl.
public struct HTTPClient: Sendable {
    /// Limit on establishing the connection (TCP and TLS).
    public var connectTimeout: Duration
    /// Limit on the whole request, connecting included.
    public var timeout: Duration
    public var tls: TLSVerification
    /// Whether the proxy that `http_proxy`/`https_proxy` name is used. Off by default: BMCs sit
    /// on a management network, and a proxy would see their credentials; downloads from the
    /// internet go through the site's proxy as every other tool's do.
    public var usesEnvironmentProxy: Bool

    public init(connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(30), tls: TLSVerification = .systemTrust,
                usesEnvironmentProxy: Bool = false) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.tls = tls
        self.usesEnvironmentProxy = usesEnvironmentProxy
    }

    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// Sends the request; any status from 400 up is thrown as `.status` with the body.
    public func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        let body = ResponseBody(file: nil)
        let status = try perform(request, into: body)
        return HTTPResponse(status: status, body: body.data)
    }

    /// Sends the request and writes the answer's body to the open file `descriptor` as it
    /// arrives, so that an installer image of gigabytes never sits in memory. A status from 400
    /// up is thrown as `.status`; what was written then is the caller's to discard.
    public func download(_ request: HTTPRequest, to descriptor: Int32) throws(HTTPError) {
        _ = try perform(request, into: ResponseBody(file: descriptor))
    }

    private func perform(_ request: HTTPRequest, into received: ResponseBody) throws(HTTPError) -> Int {
        let what = "\(request.method.name) \(request.url)"
        guard Self.initialized, let handle = curl_easy_init() else {
            throw HTTPError(kind: .transfer, request: what, reason: "libcurl could not be initialised")
        }
        defer { curl_easy_cleanup(handle) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(to: 0)
        defer { errorBuffer.deallocate() }
        var headers: UnsafeMutablePointer<curl_slist>?
        for header in request.headers {
            headers = curl_slist_append(headers, header)
        }
        defer { curl_slist_free_all(headers) }
        let receiver = Unmanaged.passRetained(received)
        defer { receiver.release() }

        var code = configure(handle, request, headers: headers, errorBuffer: errorBuffer, receiver: receiver.toOpaque())
        if code == CURLE_OK { code = curl_easy_perform(handle) }
        if let writeError = received.writeError {
            throw HTTPError(kind: .transfer, request: what, reason: "cannot write the answer: \(String(cString: strerror(writeError)))")
        }
        guard code == CURLE_OK else {
            throw failure(code, handle: handle, errorBuffer: errorBuffer, what: what)
        }
        var status = 0
        _ = provision_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        guard status < 400 else {
            throw HTTPError(kind: .status(status), request: what, reason: "HTTP \(status)", body: received.data)
        }
        return status
    }

    /// Sets every option of the request; the first failing option's code, else CURLE_OK.
    private func configure(_ handle: UnsafeMutableRawPointer, _ request: HTTPRequest, headers: UnsafeMutablePointer<curl_slist>?,
                           errorBuffer: UnsafeMutablePointer<CChar>, receiver: UnsafeMutableRawPointer) -> CURLcode {
        var codes = [
            provision_curl_set_string(handle, CURLOPT_URL, request.url),
            provision_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer),
            provision_curl_set_pointer(handle, CURLOPT_HTTPHEADER, headers),
            // libcurl's timeouts otherwise use SIGALRM, which is process-wide: wrong with threads.
            provision_curl_set_long(handle, CURLOPT_NOSIGNAL, 1),
            provision_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeout / .milliseconds(1))),
            provision_curl_set_long(handle, CURLOPT_TIMEOUT_MS, Int(timeout / .milliseconds(1))),
            provision_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"),
            provision_curl_set_write_function(handle) { data, size, count, receiver in
                guard let data, let receiver else { return 0 }
                // Fewer bytes than handed over makes libcurl stop with CURLE_WRITE_ERROR.
                return Unmanaged<ResponseBody>.fromOpaque(receiver).takeUnretainedValue().receive(UnsafeRawBufferPointer(start: data, count: size * count))
            },
            provision_curl_set_pointer(handle, CURLOPT_WRITEDATA, receiver),
        ]
        if !usesEnvironmentProxy {
            codes.append(provision_curl_set_string(handle, CURLOPT_PROXY, ""))
        }
        switch tls {
        case .systemTrust:
            codes += [provision_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 1), provision_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 2)]
        case .caFile(let path):
            codes += [provision_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 1), provision_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 2),
                      provision_curl_set_string(handle, CURLOPT_CAINFO, path)]
        case .insecure:
            codes += [provision_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 0), provision_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 0)]
        }
        if let username = request.username, let password = request.password {
            codes += [provision_curl_use_basic_auth(handle), provision_curl_set_string(handle, CURLOPT_USERNAME, username),
                      provision_curl_set_string(handle, CURLOPT_PASSWORD, password)]
        }
        switch request.method {
        case .get:
            codes.append(provision_curl_set_long(handle, CURLOPT_HTTPGET, 1))
        case .post(let json), .patch(let json):
            codes.append(provision_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, json.count))
            codes.append(json.withUnsafeBytes { provision_curl_set_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress)) })
            codes.append(provision_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, request.method.name))
        }
        return codes.first { $0 != CURLE_OK } ?? CURLE_OK
    }

    /// libcurl's failure as an error of the kind callers act on (retry, report unreachable).
    private func failure(_ code: CURLcode, handle: UnsafeMutableRawPointer, errorBuffer: UnsafeMutablePointer<CChar>, what: String) -> HTTPError {
        let summary = String(cString: curl_easy_strerror(code))
        let detail = String(cString: errorBuffer)
        let reason = detail.isEmpty ? summary : detail.contains(summary) ? detail : "\(detail) (\(summary))"
        var osError = 0
        _ = provision_curl_get_long(handle, CURLINFO_OS_ERRNO, &osError)
        let kind: HTTPError.Kind
        switch code {
        case CURLE_OPERATION_TIMEDOUT: kind = .timeout
        case CURLE_PEER_FAILED_VERIFICATION: kind = .tlsVerification
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_CRL_BADFILE, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS:
            kind = .tls
        case CURLE_COULDNT_CONNECT where osError == Int(ECONNREFUSED): kind = .connectionRefused
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST: kind = .connect
        default: kind = .transfer
        }
        return HTTPError(kind: kind, request: what, reason: reason)
    }
}

/// The bytes of an answer as libcurl hands them over, chunk by chunk: kept, or written on to a file.
private final class ResponseBody {
    let file: Int32?
    var data = Data()
    /// The errno of a failed write to `file`.
    var writeError: Int32?

    init(file: Int32?) {
        self.file = file
    }

    /// Takes one chunk; the count of bytes taken (less than the chunk's on a failed write).
    func receive(_ chunk: UnsafeRawBufferPointer) -> Int {
        guard let file else {
            data.append(contentsOf: chunk)
            return chunk.count
        }
        var written = 0
        while written < chunk.count {
            let result = write(file, chunk.baseAddress! + written, chunk.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                writeError = errno
                return written
            }
            written += result
        }
        return written
    }
}
