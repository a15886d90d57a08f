import Foundation
import Provision

/// Reads one entry of a playbook's `resources` into the same value the Swift initialiser
/// builds. The entry's first key names the resource type and holds what it manages
/// (`file: /etc/motd`); the other keys are that type's settings, named after the
/// initialiser's parameters. Settings left out keep the initialiser's defaults.
///
/// What it reads is a builder per host: a template renders with each host's vars, a package
/// goes through each host's package manager.
final class SiteResourceReader {
    typealias Builder = @Sendable (Provision.Host) -> any Resource

    enum Kind: String, CaseIterable {
        case file, template, directory, service, command, package, user, group, sysctl
        /// Not `line`: the line itself is a setting of this type, and one mapping cannot hold
        /// the key twice.
        case lineInFile = "line_in_file"
        case kernelModule = "kernel_module"
        case aptRepository = "apt_repository"
        case dnfRepository = "dnf_repository"

        var settings: [String] {
            switch self {
            case .file: ["content", "mode", "owner", "group", "notify", "sensitive"]
            case .directory: ["mode", "owner", "group"]
            case .service: ["enabled", "running"]
            case .command: ["creates", "unless", "notify"]
            case .lineInFile: ["line", "regexp", "notify"]
            case .package: ["state", "version"]
            case .user: ["shell", "groups", "authorized_keys", "present"]
            case .group: ["gid", "present"]
            case .template: ["source", "mode", "owner", "group", "notify", "sensitive"]
            case .sysctl: ["value", "runtime"]
            case .kernelModule: ["options"]
            case .aptRepository: ["uris", "suites", "components", "keyring", "key"]
            case .dnfRepository: ["description", "baseurl", "gpgkey"]
            }
        }
    }

    /// `state:` of a package; a pinned version is given with `version:` instead.
    enum PackageState: String, CaseIterable {
        case present, absent
    }

    let reader: NodeReader
    /// The handlers the playbook defines: the only names `notify` may use.
    let handlers: [String]
    /// The playbook's directory: template sources and key files are relative to it.
    let directory: String
    /// The template files read, so their errors can print the offending line.
    private(set) var templateTexts = SourceTexts()

    init(reader: NodeReader, handlers: [String], directory: String) {
        self.reader = reader
        self.handlers = handlers
        self.directory = directory
    }

    func read(_ entry: SourceNode) -> Builder? {
        let kindNames = Kind.allCases.map(\.rawValue)
        guard case .mapping(let pairs, _) = entry, let first = pairs.first else {
            reader.error("expected a resource to be a mapping that starts with its type (\(kindNames.joined(separator: ", "))), found \(entry.kindName)",
                         at: entry.location)
            return nil
        }
        guard let kind = Kind(rawValue: first.key.text) else {
            var message = "unknown resource type '\(first.key.text)'"
            if Kind.allCases.contains(where: { $0.settings.contains(first.key.text) }) {
                message += ": that is a setting; a resource starts with its type (\(kindNames.joined(separator: ", ")))"
            } else if let near = Suggestion.nearest(to: first.key.text, in: kindNames) {
                message += "; did you mean '\(near)'?"
            } else {
                message += "; known types: \(kindNames.joined(separator: ", "))"
            }
            reader.error(message, at: first.key.location)
            return nil
        }
        let name = reader.string(first.value, what: "'\(kind.rawValue)'")
        if name?.isEmpty == true { reader.error("'\(kind.rawValue)' is empty: name what the resource manages", at: first.value.location) }
        let what = name.map { "\(kind.rawValue) '\($0)'" } ?? kind.rawValue
        guard let fields = reader.mapping(entry, what: what, keys: [kind.rawValue] + kind.settings) else { return nil }
        let settings = Settings(fields: fields, reader: reader, what: what)
        // Built even without a valid name, so that every wrong setting is reported in this run.
        let resource = build(kind, name: name ?? "", settings)
        guard let name, !name.isEmpty, settings.isValid else { return nil }
        return resource
    }

    private func build(_ kind: Kind, name: String, _ settings: Settings) -> Builder {
        switch kind {
        case .package:
            let package = readPackage(name, settings)
            return { host in
                var package = package
                package.manager = PackageResource.Manager(host.os.family)
                return package
            }
        case .template:
            var file = FileResource(name, content: "")
            readPermissions(settings, mode: &file.mode, owner: &file.owner, group: &file.group)
            settings.read("notify", into: &file.notifies, notifications)
            settings.read("sensitive", into: &file.sensitive, reader.bool(_:what:))
            var source = ""
            settings.require("source", into: &source, hint: "the Mustache template file, relative to the playbook", reader.string(_:what:))
            let template = source.isEmpty ? nil : readTemplate(source, settings)
            return { [file] host in
                guard let template else { return file }  // an error is already reported
                return TemplateResource(file.path, template: template, for: host, mode: file.mode, owner: file.owner, group: file.group,
                                        notifies: file.notifies, sensitive: file.sensitive)
            }
        case .sysctl:
            var value = ""
            settings.require("value", into: &value, hint: "the setting's value", reader.string(_:what:))
            let runtime = settings.value("runtime", reader.bool(_:what:))
            return { [value] _ in SysctlResource(name, value, runtime: runtime ?? true) }
        default:
            let resource = buildStatic(kind, name: name, settings)
            return { _ in resource }
        }
    }

    /// A template file parsed now, so a syntax error is reported before any host is touched.
    private func readTemplate(_ source: String, _ settings: Settings) -> TextTemplate? {
        let path = source.hasPrefix("/") ? source : "\(directory)/\(source)"
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            settings.error("template source '\(source)' does not exist or is not UTF-8 text (a relative path is read beside the playbook)", at: "source")
            return nil
        }
        do {
            return try TextTemplate(text, path: path)
        } catch {
            templateTexts.add(file: path, text: text)
            for diagnostic in error.diagnostics { reader.error(diagnostic.message, at: diagnostic.location ?? settings.location) }
            settings.markInvalid()
            return nil
        }
    }

    private func readPackage(_ name: String, _ settings: Settings) -> PackageResource {
        var package = PackageResource(name)
        let state = settings.value("state") { reader.oneOf($0, what: $1, as: PackageState.self) }
        let version = settings.value("version", reader.string(_:what:))
        switch (state, version) {
        case (.absent?, _?): settings.error("a package that is absent has no version; drop 'version' or 'state: absent'", at: "version")
        case (_, let version?): package.state = .version(version)
        case (.absent?, nil): package.state = .absent
        case (.present?, nil), (nil, nil): break
        }
        return package
    }

    private func buildStatic(_ kind: Kind, name: String, _ settings: Settings) -> any Resource {
        switch kind {
        case .package, .template, .sysctl:
            preconditionFailure("\(kind) is built per host")
        case .kernelModule:
            return KernelModuleResource(name, options: settings.value("options", reader.strings(_:what:)) ?? [])
        case .aptRepository:
            var uris: [String] = [], suites: [String] = [], components: [String] = []
            settings.require("uris", into: &uris, hint: "the repository's URLs", reader.strings(_:what:))
            settings.require("suites", into: &suites, hint: "e.g. [bookworm]", reader.strings(_:what:))
            settings.require("components", into: &components, hint: "e.g. [main]", reader.strings(_:what:))
            let keyring = settings.value("keyring", reader.string(_:what:))
            let keyFile = settings.value("key", reader.string(_:what:))
            var key = PackageRepositoryResource.SigningKey.keyring("")
            switch (keyring, keyFile) {
            case (let keyring?, nil): key = .keyring(keyring)
            case (nil, let file?):
                let path = file.hasPrefix("/") ? file : "\(directory)/\(file)"
                if let text = try? String(contentsOfFile: path, encoding: .utf8), text.contains("BEGIN PGP PUBLIC KEY BLOCK") {
                    key = .armored(text)
                } else {
                    settings.error("'key' must name an ASCII-armored OpenPGP key file ('\(file)' is not one; a relative path is read beside the playbook)", at: "key")
                }
            default:
                settings.error("\(settings.what) needs exactly one of 'keyring' (a keyring file on the host) or 'key' (an armored key file beside the playbook)", at: nil)
            }
            return PackageRepositoryResource(apt: name, uris: uris, suites: suites, components: components, key: key)
        case .dnfRepository:
            var description = name, baseURL = "", gpgKey = ""
            settings.read("description", into: &description, reader.string(_:what:))
            settings.require("baseurl", into: &baseURL, hint: "the repository's URL", reader.string(_:what:))
            settings.require("gpgkey", into: &gpgKey, hint: "the URL or file:// path of its signing key", reader.string(_:what:))
            return PackageRepositoryResource(dnf: name, description: description, baseURL: baseURL, gpgKey: gpgKey)
        case .file:
            var file = FileResource(name, content: "")
            settings.require("content", into: &file.content, hint: "the file's text (content: |, then the text indented below)", reader.string(_:what:))
            readPermissions(settings, mode: &file.mode, owner: &file.owner, group: &file.group)
            settings.read("notify", into: &file.notifies, notifications)
            settings.read("sensitive", into: &file.sensitive, reader.bool(_:what:))
            return file
        case .directory:
            var directory = DirectoryResource(name)
            readPermissions(settings, mode: &directory.mode, owner: &directory.owner, group: &directory.group)
            return directory
        case .service:
            var service = ServiceResource(name)
            settings.read("enabled", into: &service.enabled, reader.bool(_:what:))
            settings.read("running", into: &service.running, reader.bool(_:what:))
            return service
        case .command:
            var command = CommandResource(name)
            command.creates = settings.value("creates", reader.string(_:what:))
            command.unless = settings.value("unless", reader.string(_:what:))
            settings.read("notify", into: &command.notifies, notifications)
            return command
        case .lineInFile:
            var line = LineInFileResource(name, line: "")
            settings.require("line", into: &line.line, hint: "the line the file must hold", reader.string(_:what:))
            line.match = settings.value("regexp", reader.string(_:what:))
            if let match = line.match, let problem = ExtendedRegex.problem(in: match) {
                settings.error("'regexp' is not an extended regular expression, the dialect awk reads on the host: \(problem)", at: "regexp")
            }
            settings.read("notify", into: &line.notifies, notifications)
            return line
        case .user:
            // Groups go through the initialiser, which sorts them.
            var user = UserResource(name, groups: settings.value("groups", reader.strings(_:what:)) ?? [])
            settings.read("shell", into: &user.shell, reader.string(_:what:))
            settings.read("authorized_keys", into: &user.authorizedKeys, reader.strings(_:what:))
            settings.read("present", into: &user.present, reader.bool(_:what:))
            return user
        case .group:
            var group = GroupResource(name)
            group.gid = settings.value("gid") { reader.int($0, what: $1, in: 0...4_294_967_294) }
            settings.read("present", into: &group.present, reader.bool(_:what:))
            return group
        }
    }

    /// Files and directories take their mode and ownership alike.
    private func readPermissions(_ settings: Settings, mode: inout String, owner: inout String, group: inout String) {
        settings.read("mode", into: &mode, reader.fileMode(_:what:))
        settings.read("owner", into: &owner, reader.string(_:what:))
        settings.read("group", into: &group, reader.string(_:what:))
    }

    /// `notify:` is one handler name or a list of them, each defined under the playbook's `handlers`.
    private func notifications(_ node: SourceNode, what: String) -> [String]? {
        let items = if case .sequence(let items, _) = node { items } else { [node] }
        var names: [String] = []
        for item in items {
            guard let name = reader.string(item, what: "a handler name in \(what)") else { continue }
            guard handlers.contains(name) else {
                var message = "\(what) names handler '\(name)', which this playbook does not define under 'handlers'"
                if let near = Suggestion.nearest(to: name, in: handlers) { message += "; did you mean '\(near)'?" }
                reader.error(message, at: item.location)
                continue
            }
            names.append(name)
        }
        return names.count == items.count ? names : nil
    }

    /// The settings of one entry. A setting that is present but wrong is reported and makes
    /// the entry invalid: it never silently falls back to the default.
    private final class Settings {
        private let fields: Fields
        private let reader: NodeReader
        let what: String
        private(set) var isValid = true

        var location: SourceLocation { fields.location }

        func markInvalid() { isValid = false }

        init(fields: Fields, reader: NodeReader, what: String) {
            self.fields = fields
            self.reader = reader
            self.what = what
        }

        /// The setting read by `read` (given the node and `'key'`), or nil when it is absent or wrong.
        func value<T>(_ key: String, _ read: (SourceNode, String) -> T?) -> T? {
            guard let node = fields[key] else { return nil }
            guard let value = read(node, "'\(key)'") else {
                isValid = false
                return nil
            }
            return value
        }

        func read<T>(_ key: String, into target: inout T, _ read: (SourceNode, String) -> T?) {
            if let value = value(key, read) { target = value }
        }

        func require<T>(_ key: String, into target: inout T, hint: String, _ read: (SourceNode, String) -> T?) {
            if fields[key] == nil { error("\(what) needs '\(key)': \(hint)", at: nil) }
            self.read(key, into: &target, read)
        }

        /// An error at the setting `key`, or at the entry when it is nil.
        func error(_ message: String, at key: String?) {
            reader.error(message, at: key.flatMap { fields.keys[$0]?.location } ?? fields.location)
            isValid = false
        }
    }
}
