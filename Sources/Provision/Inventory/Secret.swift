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
    public func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SecretError) -> Secret {
        var copy = self
        switch source {
        case .environment(let name):
            guard let text = environment[name], !text.isEmpty else {
                throw SecretError(message: "environment variable \(name) is not set (it holds a secret the inventory refers to)")
            }
            copy.value = text
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw SecretError(message: "cannot read the secret file \(path)")
            }
            copy.value = text.hasSuffix("\n") ? String(text.dropLast()) : text
        }
        return copy
    }
}

public struct SecretError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

extension Host {
    /// The host with every secret var read (for building its playbook on the controller).
    public func resolvingSecrets(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SecretError) -> Host {
        var host = self
        for (key, value) in vars {
            do {
                host.vars[key] = try value.resolvingSecrets(environment: environment)
            } catch {
                throw SecretError(message: "host \(name), var '\(key)': \(error.message)")
            }
        }
        return host
    }

    /// The text of every resolved secret among the vars: what no output may show.
    public var secretValues: [String] {
        vars.values.flatMap(\.secretValues)
    }
}

extension VarValue {
    func resolvingSecrets(environment: [String: String]) throws(SecretError) -> VarValue {
        switch self {
        case .string: return self
        case .secret(let secret): return .secret(try secret.resolved(environment: environment))
        case .list(let items):
            var resolved: [VarValue] = []
            for item in items { resolved.append(try item.resolvingSecrets(environment: environment)) }
            return .list(resolved)
        case .map(let entries):
            var resolved: [String: VarValue] = [:]
            for (key, value) in entries { resolved[key] = try value.resolvingSecrets(environment: environment) }
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
