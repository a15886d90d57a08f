import Foundation

/// HTTP/1.1 over a plain socket from a chosen loopback source address (127.0.0.21 stands for a
/// host, 127.0.0.99 for a stranger: Linux routes all of 127.0.0.0/8 to the loopback device),
/// so a test can be any peer of the install server. Blocking: call it off the shared threads.
struct LoopbackHTTP {
    let source: String
    let port: Int

    /// A connected socket from `source` to 127.0.0.1:`port`, reads timing out after `timeout` s.
    func connect(timeout: Int = 60) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        func address(_ text: String, port: Int) -> sockaddr_in {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr(text)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            return address
        }
        var local = address(source, port: 0), remote = address("127.0.0.1", port: port)
        var wait = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let connected = withUnsafePointer(to: &local) { localPointer in
            withUnsafePointer(to: &remote) { remotePointer in
                localPointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) == 0 }
                    && remotePointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, size) == 0 }
            }
        }
        guard connected else {
            let error = errno
            close(fd)
            throw SetupFailure(message: "cannot connect from \(source) to 127.0.0.1:\(port): \(String(cString: strerror(error)))")
        }
        return fd
    }

    /// One request (`Connection: close`); the response's status and body.
    func request(_ method: String, _ path: String, headers: [String: String] = [:], body: String = "") throws -> (status: Int, body: String) {
        let fd = try connect()
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        try Self.send(fd, head + "\r\n" + body)
        let response = try Self.readAll(fd)
        guard let statusLine = response.split(separator: "\r\n").first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            throw SetupFailure(message: "\(method) \(path): no HTTP response: \(response.prefix(200))")
        }
        let body = response.range(of: "\r\n\r\n").map { String(response[$0.upperBound...]) } ?? ""
        return (status, body)
    }

    func get(_ path: String) throws -> (status: Int, body: String) { try request("GET", path) }

    func post(_ path: String, form: String) throws -> Int {
        try request("POST", path, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: form).status
    }

    static func send(_ fd: Int32, _ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { throw SetupFailure(message: "write: \(String(cString: strerror(errno)))") }
            sent += count
        }
    }

    /// Everything until the peer closes; throws when a read times out (the peer kept it open).
    static func readAll(_ fd: Int32) throws -> String {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count == 0 { break }
            if count < 0 {
                if errno == ECONNRESET { break }
                throw SetupFailure(message: "read: \(String(cString: strerror(errno)))")
            }
            data.append(contentsOf: buffer[..<count])
        }
        return String(decoding: data, as: UTF8.self)
    }
}
