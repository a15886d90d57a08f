import Foundation

/// The directory of provision's own data files (today its built-in `templates/`), found without
/// the source tree, in this order:
///
/// 1. `PROVISION_SHARE`, when set: that directory and no other (a wrong override is an error,
///    never quietly replaced by another set of templates);
/// 2. `../share/provision` from the executable's directory: `/usr/share/provision` for the
///    .deb's `/usr/bin/provision`, `PREFIX/share/provision` for a tree installed under a prefix;
/// 3. the checkout a development binary was built in: the nearest ancestor of its `.build`
///    directory that holds `Package.swift` and `templates/` (the main package's binaries and
///    tests, and the fuzz package's under `tests/fuzz`).
///
/// A share directory rather than SwiftPM resources: on Linux `Bundle.module` looks for a
/// `provision_Provision.resources` directory beside the executable, then in the build tree,
/// and stops the process when neither is there, so a package would have to put a data
/// directory into `/usr/bin` and a copied binary would crash instead of saying what is missing.
/// `/usr/share/provision` is where Debian puts such files, and where an operator looks for
/// the built-in templates to copy one into the site's `site.templates`.
public struct ShareDirectory: Sendable, Equatable {
    public static let environmentVariable = "PROVISION_SHARE"

    public let path: String

    public var templates: String { "\(path)/templates" }

    /// Where the lookup starts, given apart so tests can place an executable anywhere.
    public struct Origin: Sendable {
        public var executable: String
        public var override: String?

        public init(executable: String, override: String?) {
            self.executable = executable
            self.override = override
        }

        /// This process's executable, from `/proc/self/exe` (symbolic links resolved, so a link
        /// in `/usr/local/bin` to an installed tree finds that tree's `share/`), and the
        /// override `environment` names.
        public static func current(environment: [String: String]) -> Origin {
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            return Origin(executable: executable, override: environment[ShareDirectory.environmentVariable])
        }

        /// This process, with the override from its own environment: for what runs without a
        /// context (tests, the fuzz targets); use cases pass their context's.
        public static var current: Origin { current(environment: ProcessInfo.processInfo.environment) }
    }

    /// The directory holding `templates/`, or an error naming every place looked at.
    public static func locate(from origin: Origin = .current) throws(NotFound) -> ShareDirectory {
        let candidates = candidates(from: origin)
        guard let found = candidates.first(where: { holdsTemplates($0.path) }) else {
            throw NotFound(executable: origin.executable, looked: candidates)
        }
        return ShareDirectory(path: found.path)
    }

    /// The installed place (2. above) for this executable: where a package puts the files, so
    /// the place to name when nothing is found at all.
    public static func installed(for executable: String) -> String {
        URL(fileURLWithPath: executable).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("share/provision").standardizedFileURL.path
    }

    /// A place the lookup tries, and why there.
    public struct Candidate: Sendable, Equatable {
        public var path: String
        public var reason: String
    }

    static func candidates(from origin: Origin) -> [Candidate] {
        if let override = origin.override {
            return [Candidate(path: override, reason: "\(environmentVariable) is set")]
        }
        var candidates = [Candidate(path: installed(for: origin.executable), reason: "../share/provision from the executable")]
        if let checkout = checkout(of: origin.executable) {
            candidates.append(Candidate(path: checkout, reason: "the checkout the executable was built in"))
        }
        return candidates
    }

    /// The nearest ancestor of the executable's `.build` directory with `Package.swift` and
    /// `templates/`; nil for a binary outside a build tree (copied or installed).
    private static func checkout(of executable: String) -> String? {
        let components = URL(fileURLWithPath: executable).standardizedFileURL.pathComponents
        guard let build = components.lastIndex(of: ".build") else { return nil }
        var directory = URL(fileURLWithPath: NSString.path(withComponents: Array(components[..<build])))
        while true {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path), holdsTemplates(directory.path) {
                return directory.path
            }
            guard directory.path != "/" else { return nil }
            directory.deleteLastPathComponent()
        }
    }

    private static func holdsTemplates(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: "\(path)/templates", isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// No place holds provision's data files: where it looked, and what to do.
    public struct NotFound: Error, Sendable, CustomStringConvertible {
        public var executable: String
        public var looked: [Candidate]

        public var description: String {
            let places = looked.map { "  \($0.path)/templates (\($0.reason))" }.joined(separator: "\n")
            return """
                provision's data files (its built-in templates) are not installed where \(executable) looks for them; it looked in:
                \(places)
                Install the package (scripts/package builds it), copy a checkout's templates/ to \(installed(for: executable))/templates, \
                or set \(environmentVariable) to a directory that holds templates/.
                """
        }
    }
}
