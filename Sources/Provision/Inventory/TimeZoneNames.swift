import Foundation

/// IANA time zone names, checked against the controller's zoneinfo: a name is accepted when
/// `/usr/share/zoneinfo/NAME` is a regular file holding a compiled zone (`TZif`), which is what
/// the installed system's tzdata will look for. Without zoneinfo on the controller only the
/// grammar is checked (docs/inventory.md says so). Each name is looked up once per load: a
/// large site repeats a handful of zones over thousands of hosts. The cache is unguarded: one
/// loader's hosts are built one after another (a builder that builds hosts in parallel must
/// give each thread its own, or lock it).
final class TimeZoneNames {
    private let directory: String
    private let hasZoneInfo: Bool
    private var checked: [String: String?] = [:]

    init(directory: String = "/usr/share/zoneinfo") {
        self.directory = directory
        var isDirectory: ObjCBool = false
        hasZoneInfo = FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Nil when `name` is a zone, else what was expected.
    func problem(_ name: String) -> String? {
        if let known = checked[name] { return known }
        let problem = lookUp(name)
        checked[name] = problem
        return problem
    }

    private func lookUp(_ name: String) -> String? {
        let grammar = "an IANA time zone name such as Europe/Berlin or Etc/UTC"
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, name.utf8.count <= 255, !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
              name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_+-/".unicodeScalars.contains($0)) })
        else { return "\(grammar) (letters, digits, '_', '+', '-' and '/')" }
        guard hasZoneInfo else { return nil }
        var status = stat()
        guard stat("\(directory)/\(name)", &status) == 0, status.st_mode & mode_t(S_IFMT) == mode_t(S_IFREG),
              let file = FileHandle(forReadingAtPath: "\(directory)/\(name)") else {
            return "\(grammar): there is no such zone in \(directory)"
        }
        defer { try? file.close() }
        guard file.readData(ofLength: 4) == Data("TZif".utf8) else { return "\(grammar): \(directory)/\(name) is not a compiled zone" }
        return nil
    }
}
