import Foundation
@testable import Provision
@testable import ProvisionLab

/// sushy-tools' Redfish emulator on 127.0.0.1 standing in for one server's BMC: its fake system
/// driver (no libvirt, state in this emulator's own directory), HTTP basic authentication and
/// TLS with a certificate signed by a CA made for it. `stop()` ends it and removes its files.
final class RedfishEmulator {
    static let username = "admin"
    static let password = "emulator-password"
    static let systemID = "8f0d6b0e-5b8e-4c55-9d35-3c6a1c1f7a01"

    let directory: TemporaryDirectory
    let port: Int
    private let process: ChildProcess

    var address: String { "https://127.0.0.1:\(port)" }
    /// The CA that signed the emulator's certificate.
    var caFile: String { "\(directory.path)/ca.pem" }
    /// A CA that signed nothing the emulator presents.
    var otherCAFile: String { "\(directory.path)/other-ca.pem" }
    var log: String { "\(directory.path)/emulator.log" }

    /// Starts the emulator with one fake system in `powerState` ("On" or "Off") and returns
    /// once it answers.
    static func start(powerState: String = "Off") async throws -> RedfishEmulator {
        let directory = try TemporaryDirectory()
        do {
            let emulator = try RedfishEmulator(directory: directory, powerState: powerState)
            try await emulator.waitUntilListening()
            return emulator
        } catch {
            directory.remove()
            throw error
        }
    }

    private init(directory: TemporaryDirectory, powerState: String) throws {
        self.directory = directory
        let path = directory.path
        try Self.makeCertificates(in: path)
        // sushy-tools accepts bcrypt entries only; bcrypt comes with it in the tools venv.
        let python = (try which("sushy-emulator") as NSString).deletingLastPathComponent + "/python3"
        let hash = try run(python, ["-c", "import bcrypt, sys; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(4)).decode())", Self.password])
        guard hash.status == 0 else { throw SetupFailure(message: "cannot hash the emulator's password: \(hash.output)") }
        try "\(Self.username):\(hash.output)".write(toFile: "\(path)/htpasswd", atomically: true, encoding: .utf8)
        port = try freeLoopbackPort()
        let config = """
            SUSHY_EMULATOR_FAKE_DRIVER = True
            SUSHY_EMULATOR_FAKE_SYSTEMS = [{'uuid': '\(Self.systemID)', 'name': 'node-1', 'power_state': '\(powerState)',
                                            'nics': [{'mac': '52:54:00:00:00:01', 'ip': '127.0.0.1'}]}]
            SUSHY_EMULATOR_STATE_DIR = '\(path)/state'
            SUSHY_EMULATOR_AUTH_FILE = '\(path)/htpasswd'
            SUSHY_EMULATOR_SSL_CERT = '\(path)/server.pem'
            SUSHY_EMULATOR_SSL_KEY = '\(path)/server.key'
            SUSHY_EMULATOR_LISTEN_IP = '127.0.0.1'
            SUSHY_EMULATOR_LISTEN_PORT = \(port)
            """
        try config.write(toFile: "\(path)/emulator.conf", atomically: true, encoding: .utf8)
        process = try ChildProcess("sushy-emulator", ["--config", "\(path)/emulator.conf"], outputFile: "\(path)/emulator.log")
    }

    func stop() {
        process.stop()
        directory.remove()
    }

    /// The inventory's `bmc` mapping for this emulator; `extra` adds keys (`ca_file: ...`).
    func bmcYAML(passwordEnv: String, extra: String = "") -> String {
        "{type: redfish, address: \(address), username: \(Self.username), password_env: \(passwordEnv)\(extra.isEmpty ? "" : ", \(extra)")}"
    }

    private func waitUntilListening() async throws {
        for _ in 0..<300 {
            if Lab.answers("127.0.0.1", port: port) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        stop()
        throw SetupFailure(message: "sushy-emulator did not listen on port \(port) within 30 s:\n\(output)")
    }

    /// A CA and a certificate for 127.0.0.1 it signed; and another CA.
    private static func makeCertificates(in path: String) throws {
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try "subjectAltName = IP:127.0.0.1\n".write(toFile: "\(path)/server.ext", atomically: true, encoding: .utf8)
        for arguments in [
            ["req", "-x509"] + key + ["-keyout", "\(path)/ca.key", "-out", "\(path)/ca.pem", "-days", "2", "-subj", "/CN=provision test BMC CA"],
            ["req", "-x509"] + key + ["-keyout", "\(path)/other-ca.key", "-out", "\(path)/other-ca.pem", "-days", "2", "-subj", "/CN=some other CA"],
            ["req"] + key + ["-keyout", "\(path)/server.key", "-out", "\(path)/server.csr", "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", "\(path)/server.csr", "-CA", "\(path)/ca.pem", "-CAkey", "\(path)/ca.key", "-CAcreateserial",
             "-out", "\(path)/server.pem", "-days", "2", "-extfile", "\(path)/server.ext"],
        ] {
            let result = try run("openssl", arguments)
            guard result.status == 0 else { throw SetupFailure(message: "openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(result.output)") }
        }
    }
}
