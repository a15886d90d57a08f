import Foundation

/// Reads an inventory (one YAML file, or every `*.yml` and `*.yaml` file of a directory),
/// resolves each host's settings (host > its groups, first listed first > defaults) and
/// validates all of it.
/// Either returns a whole, valid inventory or throws every problem found, with locations.
public enum InventoryLoader {
    static let topKeys = ["site", "defaults", "groups", "hosts"]
    static let siteKeys = ["install_server", "tftp_server", "templates", "dhcp_interface", "confirm_above", "assets", "playbooks", "history_days", "install_relays"]
    static let hostKeys = ["groups", "domain", "nics", "network", "firmware", "os", "disk", "root_password_hash",
                           "authorized_keys", "timezone", "locale", "console", "proxy", "roles", "vars", "bmc", "protected", "ssh", "connector"]
    static let refusedHostKeys = [
        "root_password": "plaintext passwords are refused: give 'root_password_hash' a hash instead (e.g. from `mkpasswd -m sha-512`)",
        "password": "plaintext passwords are refused: give 'root_password_hash' a hash instead (e.g. from `mkpasswd -m sha-512`)",
    ]

    public static func load(path: String) throws(DiagnosticsError) -> Inventory {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw DiagnosticsError([.error("inventory '\(path)' \(TextFile.reason(statError: errno)); pass one with --inventory", at: nil)])
        }
        var paths = [path]
        if status.st_mode & S_IFMT == S_IFDIR {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            paths = names.filter(isInventoryFile).sorted().map { "\(path)/\($0)" }
            if paths.isEmpty { throw DiagnosticsError([.error("inventory directory '\(path)' holds no .yml or .yaml files", at: nil)]) }
        }
        var files: [(path: String, text: String)] = []
        var unread: [Diagnostic] = []
        for path in paths {
            do {
                files.append((path, try TextFile.read(path, maxBytes: YAMLLimits.maxFileBytes)))
            } catch {
                let location = error.line.map { SourceLocation(file: path, line: $0, column: error.column ?? 1) }
                unread.append(.error("inventory file '\(path)' \(error.reason)", at: location))
            }
        }
        if !unread.isEmpty { throw DiagnosticsError(unread) }
        return try load(files: files)
    }

    /// The files of an inventory directory: `*.yml` and `*.yaml`, but not hidden files, which
    /// include editors' lock and swap files (`.#20-b.yml`, `.20-b.yml.swp`), nor backups (`*~`).
    static func isInventoryFile(_ name: String) -> Bool {
        (name.hasSuffix(".yml") || name.hasSuffix(".yaml")) && !name.hasPrefix(".")
    }

    public static func load(files: [(path: String, text: String)]) throws(DiagnosticsError) -> Inventory {
        var sources = SourceTexts()
        var parseErrors: [Diagnostic] = []
        var documents: [(path: String, root: SourceNode)] = []
        for file in files {
            sources.add(file: file.path, text: file.text)
            do {
                if let root = try SourceNode.parse(yaml: file.text, file: file.path, sources: sources) { documents.append((file.path, root)) }
            } catch {
                parseErrors += error.diagnostics
            }
        }
        if !parseErrors.isEmpty { throw DiagnosticsError(parseErrors, sources: sources) }
        if documents.isEmpty, let first = files.first {
            let what = files.count == 1 ? "inventory file '\(first.path)' is empty" : "every file of the inventory is empty"
            throw DiagnosticsError([.error("""
                \(what) (or holds only comments): an inventory needs at least a 'site' with 'install_server', \
                'defaults' (or groups) with each host's settings, and 'hosts'; see inventory/example.yml
                """, at: SourceLocation(file: first.path, line: 1, column: 1))], sources: sources)
        }

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
