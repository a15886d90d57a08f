import Crypto
import Foundation

/// The controller's OpenSSH `known_hosts` file: the install server records the keys installers
/// report in it, the SSH connector (ProvisionSSH) verifies hosts against it. No C here: the
/// inventory and the install server use it without libssh2.
///
/// Reads the file far enough to tell which host-key types are known for
/// a host (plain, `[host]:port` and hashed `|1|salt|hash` entries). libssh2 negotiates
/// `ecdsa-sha2-nistp256` by default, while most known_hosts hold only `ssh-ed25519`: like
/// OpenSSH, the connection asks for the known types first, so verification can succeed.
/// (The verification itself is libssh2's `libssh2_knownhost_checkp`.)
public struct KnownHosts: Sendable {
    public struct Entry: Sendable, Equatable {
        /// `@cert-authority` (a CA for hosts' certificates, not a host key), else nil.
        public var marker: String?
        public var patterns: String
        public var keyType: String
        public var key: String
    }

    public let path: String
    public let entries: [Entry]

    public init(path: String) {
        self.path = path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        entries = text.split(separator: "\n").compactMap(Self.entry)
    }

    /// A line's entry; nil for comments, blank and revoked lines.
    static func entry(_ line: Substring) -> Entry? {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = fields.first, !first.hasPrefix("#") else { return nil }
        // A leading @cert-authority / @revoked marker shifts the fields.
        let offset = first.hasPrefix("@") ? 1 : 0
        guard fields.count >= offset + 3, first != "@revoked" else { return nil }
        return Entry(marker: offset == 1 ? first : nil, patterns: fields[offset], keyType: fields[offset + 1], key: fields[offset + 2])
    }

    /// The key types recorded for a host: those of its own lines (its name, or hashed) first,
    /// then those of patterns for many hosts, each in file order. A wildcard line's type first
    /// would have a reinstalled host offer that type's new key, refused as a mismatch, while
    /// its own line's type was never asked for.
    public func keyTypes(host: String, port: Int) -> [String] {
        let name = SSHAddress(host: host, port: port).description
        var own: [String] = [], shared: [String] = []
        for entry in entries where entry.marker == nil && Self.matches(entry.patterns, name: name) {
            if Self.isPattern(entry.patterns) { shared.append(entry.keyType) } else { own.append(entry.keyType) }
        }
        var types: [String] = []
        for type in own + shared where !types.contains(type) { types.append(type) }
        return types
    }

    /// A line for many hosts: wildcards or negations in its host list (hashed lines name one).
    static func isPattern(_ patterns: String) -> Bool {
        !patterns.hasPrefix("|1|") && patterns.contains { $0 == "*" || $0 == "?" || $0 == "!" }
    }

    static func matches(_ patterns: String, name: String) -> Bool {
        if patterns.hasPrefix("|1|") {
            let parts = patterns.split(separator: "|")
            guard parts.count == 3, let salt = Data(base64Encoded: String(parts[1])), let hash = Data(base64Encoded: String(parts[2])) else { return false }
            let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(name.utf8), using: SymmetricKey(data: salt))
            return Data(mac) == hash
        }
        var matched = false
        for pattern in patterns.split(separator: ",") {
            if pattern.hasPrefix("!") {
                if glob(pattern.dropFirst(), matches: name) { return false }
            } else if glob(pattern, matches: name) {
                matched = true
            }
        }
        return matched
    }

    /// OpenSSH's host patterns know only `*` and `?`: `[` and `\` are themselves (in
    /// `[host]:port` names above all), so they are escaped before fnmatch sees them.
    static func glob(_ pattern: Substring, matches name: String) -> Bool {
        let escaped = pattern.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "[", with: "\\[")
        return fnmatch(escaped, name, 0) == 0
    }

    /// Makes `key` the one key known for a host, as its installer reported it: its other keys
    /// (a reinstalled host's old ones) go, the host's own name leaving a line that names other
    /// hosts too. Lines that are not the host's own stay as they are: markers
    /// (`@cert-authority`, `@revoked`), and patterns for many hosts (`*`, `?`, `!`), which
    /// belong to the operator. Returns false when the file already held exactly that.
    @discardableResult
    public func trust(host: String, port: Int, key: SSHHostKey) throws -> Bool {
        let name = SSHAddress(host: host, port: port).description
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var kept: [Substring] = []
        var found = false, changed = false
        for line in text.split(separator: "\n") {
            guard let entry = Self.entry(line), entry.marker == nil, Self.matches(entry.patterns, name: name) else {
                kept.append(line)
                continue
            }
            if "\(entry.keyType) \(entry.key)" == key.knownHostsKey, !found {
                found = true
                kept.append(line)
                continue
            }
            if entry.patterns.hasPrefix("|1|") {  // hashed: one name, this one
                changed = true
                continue
            }
            if Self.isPattern(entry.patterns) {
                kept.append(line)
                continue
            }
            changed = true
            let others = entry.patterns.split(separator: ",").filter { $0 != name }
            // The host list is the line's first field: keep what stands around it.
            if !others.isEmpty, let start = line.range(of: entry.patterns) {
                kept.append(Substring(line[..<start.lowerBound] + others.joined(separator: ",") + line[start.upperBound...]))
            }
        }
        if found && !changed { return false }
        if !found { kept.append(Substring("\(name) \(key.knownHostsKey)")) }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        try AtomicFile.write(Data(kept.map { $0 + "\n" }.joined().utf8), to: path, mode: 0o600)
        return true
    }

    /// Records a newly accepted key (only ever on the operator's explicit request).
    public func append(host: String, port: Int, keyType: String, key: Data) throws {
        let line = "\(SSHAddress(host: host, port: port)) \(keyType) \(key.base64EncodedString())\n"
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileError.system("cannot open \(path)", errno) }
        defer { close(fd) }
        guard line.withCString({ Foundation.write(fd, $0, strlen($0)) }) == line.utf8.count else { throw FileError.system("cannot write \(path)", errno) }
    }
}
