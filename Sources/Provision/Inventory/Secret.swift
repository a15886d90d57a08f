import Foundation

/// A secret the inventory names but never holds: an environment variable or a file on the
/// controller. It is read just before it is needed, and its text never prints: describing a
/// secret shows where it comes from, not what it is.
public struct Secret: Sendable, Hashable, CustomStringConvertible {
    public enum Source: Sendable, Hashable {
        case environment(String)
        case file(String)
    }

    public var source: Source
    /// The text, once resolved on the controller; nil until then.
    public private(set) var value: String?

    public init(_ source: Source) {
        self.source = source
    }

    public var description: String {
        switch source {
        case .environment(let name): "(secret from environment variable \(name))"
        case .file(let path): "(secret from file \(path))"
        }
    }

    /// `text` with every occurrence of any of `values` (resolved secrets) masked.
    public static func mask(_ text: String, hiding values: [String]) -> String {
        values.filter { !$0.isEmpty }.reduce(text) { $0.replacingOccurrences(of: $1, with: "********") }
    }

    /// Reads the secret; a file's trailing newline is not part of it.
    public func resolved(environment: [String: String]) throws(SecretError) -> Secret {
        try resolved(by: SecretReader(environment: environment))
    }

    /// The secret as `reader` reads it (each source once per reader).
    public func resolved(by reader: SecretReader) throws(SecretError) -> Secret {
        var copy = self
        copy.value = try reader.text(of: source)
        return copy
    }
}

/// Reads secrets on the controller, each source once: a secret that the defaults or a group
/// name for a thousand hosts is read once, not a thousand times, and every host of the run
/// gets the same text, even when its file is rewritten meanwhile. One thread at a time.
public final class SecretReader {
    private let environment: [String: String]
    private var texts: [Secret.Source: Result<String, SecretError>] = [:]
    /// When set, nothing is read: every secret gets this text (see `standIn`).
    private let standInText: String?

    /// Environment-variable secrets come from `environment`: the caller's context's, never
    /// this process's behind its back.
    public init(environment: [String: String]) {
        self.environment = environment
        standInText = nil
    }

    private init(standInText: String) {
        environment = [:]
        self.standInText = standInText
    }

    /// A reader that reads no secret and gives each the same stand-in text: `validate` builds
    /// every host's playbook with it, to find the vars a role lacks exactly as `plan` does,
    /// without the secrets (which a CI job that validates usually does not have).
    public static func standIn() -> SecretReader { SecretReader(standInText: "(secret, not read)") }

    func text(of source: Secret.Source) throws(SecretError) -> String {
        if let standInText { return standInText }
        if let known = texts[source] { return try known.get() }
        let text = Result { () throws(SecretError) -> String in try read(source) }
        texts[source] = text
        return try text.get()
    }

    /// A password, a key, a certificate chain: a secret file larger than this is a mistake.
    static let maxFileBytes = 1 << 20

    private func read(_ source: Secret.Source) throws(SecretError) -> String {
        switch source {
        case .environment(let name):
            guard let text = environment[name] else {
                throw SecretError(message: "environment variable \(name) is not set (it holds a secret the inventory refers to)")
            }
            guard !text.isEmpty else {
                throw SecretError(message: "environment variable \(name) is set but empty (it holds a secret the inventory refers to)")
            }
            return text
        case .file(let path):
            let text: String
            do {
                text = try TextFile.read(path, maxBytes: Self.maxFileBytes)
            } catch {
                throw SecretError(message: "the secret file \(path) \(error.reason)")
            }
            let secret = text.hasSuffix("\n") ? String(text.dropLast()) : text
            guard !secret.isEmpty else { throw SecretError(message: "the secret file \(path) is empty") }
            return secret
        }
    }
}

public struct SecretError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

extension Host {
    /// The host with every secret var read (for building its playbook on the controller); one
    /// `reader` for all the hosts of a run reads each secret once.
    public func resolvingSecrets(by reader: SecretReader) throws(SecretError) -> Host {
        var host = self
        for (key, value) in vars {
            do {
                host.vars[key] = try value.resolvingSecrets(by: reader)
            } catch {
                throw SecretError(message: "host \(name), var '\(key)': \(error.message)")
            }
        }
        return host
    }

    /// The host with its BMC's password read, for power control: only where the BMC is
    /// used, so a drift check needs no BMC secrets. A host without a BMC stays as it is.
    public func resolvingBMCPassword(by reader: SecretReader) throws(SecretError) -> Host {
        guard let bmc else { return self }
        var host = self
        do {
            host.bmc?.password = try bmc.password.resolved(by: reader)
        } catch {
            throw SecretError(message: "host \(name), BMC \(bmc.address): \(error.message)")
        }
        return host
    }

    /// The text of every resolved secret among the vars: what no output may show.
    public var secretValues: [String] {
        vars.values.flatMap(\.secretValues)
    }
}

extension VarValue {
    func resolvingSecrets(by reader: SecretReader) throws(SecretError) -> VarValue {
        switch self {
        case .string: return self
        case .secret(let secret): return .secret(try secret.resolved(by: reader))
        case .list(let items):
            var resolved: [VarValue] = []
            for item in items { resolved.append(try item.resolvingSecrets(by: reader)) }
            return .list(resolved)
        case .map(let entries):
            var resolved: [String: VarValue] = [:]
            for (key, value) in entries { resolved[key] = try value.resolvingSecrets(by: reader) }
            return .map(resolved)
        }
    }

    var secretValues: [String] {
        switch self {
        case .string: []
        case .secret(let secret): secret.value.map { [$0] } ?? []
        case .list(let items): items.flatMap(\.secretValues)
        case .map(let entries): entries.values.flatMap(\.secretValues)
        }
    }
}
