import Foundation

/// Reads an inventory (one YAML file, or every `*.yml` in a directory), resolves each host's
/// settings (host > its groups, first listed first > defaults) and validates all of it.
/// Either returns a whole, valid inventory or throws every problem found, with locations.
public enum InventoryLoader {
    static let topKeys = ["site", "defaults", "groups", "hosts"]
    static let siteKeys = ["install_server", "tftp_server", "templates", "dhcp_interface", "confirm_above", "assets", "playbooks", "history_days", "install_relays"]
    static let hostKeys = ["groups", "domain", "nics", "network", "firmware", "os", "disk", "root_password_hash",
                           "authorized_keys", "timezone", "locale", "console", "proxy", "roles", "vars", "bmc", "protected", "ssh"]
    static let refusedHostKeys = [
        "root_password": "plaintext passwords are refused: give 'root_password_hash' a hash instead (e.g. from `mkpasswd -m sha-512`)",
        "password": "plaintext passwords are refused: give 'root_password_hash' a hash instead (e.g. from `mkpasswd -m sha-512`)",
    ]

    public static func load(path: String) throws(DiagnosticsError) -> Inventory {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DiagnosticsError([.error("inventory '\(path)' does not exist; pass one with --inventory", at: nil)])
        }
        var paths = [path]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            paths = names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted().map { "\(path)/\($0)" }
            if paths.isEmpty { throw DiagnosticsError([.error("inventory directory '\(path)' holds no .yml files", at: nil)]) }
        }
        var files: [(path: String, text: String)] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw DiagnosticsError([.error("cannot read inventory file '\(path)' as UTF-8 text", at: nil)])
            }
            files.append((path, text))
        }
        return try load(files: files)
    }

    public static func load(files: [(path: String, text: String)]) throws(DiagnosticsError) -> Inventory {
        var sources = SourceTexts()
        var parseErrors: [Diagnostic] = []
        var documents: [(path: String, root: SourceNode)] = []
        for file in files {
            sources.add(file: file.path, text: file.text)
            do {
                if let root = try SourceNode.parse(yaml: file.text, file: file.path) { documents.append((file.path, root)) }
            } catch {
                parseErrors += error.diagnostics
            }
        }
        if !parseErrors.isEmpty { throw DiagnosticsError(parseErrors, sources: sources) }

        let reader = NodeReader()
        let inventory = InventoryBuilder(reader: reader).build(documents)
        if !reader.diagnostics.isEmpty || inventory == nil {
            var diagnostics = Array(reader.diagnostics)
            if diagnostics.isEmpty { diagnostics = [.error("the inventory defines no site", at: nil)] }
            throw DiagnosticsError(diagnostics, sources: sources)
        }
        var result = inventory!
        result.sources = sources
        return result
    }
}
