/// What the grouped sections of a probe's output say, by fact. Strict: a section that is
/// missing, cut short, or ended with a status its command never gives when it works leaves all
/// of its facts unknown (nil), and a line that is not what the command prints is skipped, so
/// its fact reads as missing or unknown, never as in sync.
public struct ProbedFacts: Sendable {
    public enum PathState: Sendable, Equatable {
        case absent
        case regularFile(mode: String, owner: String, group: String)
        case directory(mode: String, owner: String, group: String)
        /// Another type: `fifo`, `socket`, `character special file`, ...
        case other(String)
    }

    public enum KernelSetting: Sendable, Equatable {
        case live(String)
        /// /proc/sys takes no writes there (a container's is read-only).
        case readOnly
        case noSuchKey
    }

    public struct Account: Sendable, Equatable {
        /// The seven fields of the passwd entry.
        public var fields: [String]
        public var home: String { fields[5] }
        public var shell: String { fields[6] }
        public var gid: String { fields[3] }
    }

    public struct Group: Sendable, Equatable {
        /// name:password:gid:members, as getent prints it.
        public var line: String
        public var name: String
        public var gid: String
        public var members: [String]
    }

    var paths: [String: PathState]?
    var digests: [String: String]?
    var debianPackages: [String: [String]]?
    var rpmLines: [Substring]?
    var units: [String: (fileState: String, activeState: String)]?
    public private(set) var container: String?
    var accounts: [String: Account]?
    public private(set) var groups: [Group]?
    var kernelSettings: [String: KernelSetting]?
    var lineCounts: [Int: (exact: Int, matching: Int)]?
    var scriptOutputs: [String?]
    let queries: FactQueries

    init(_ sections: [Substring: ProbeScript.Section], queries: FactQueries) {
        self.queries = queries
        scriptOutputs = queries.scripts.indices.map { sections[Substring("script\($0)")].map { String($0.output) } }
        func body(_ label: FactQueries.Label, succeedsWith statuses: Set<Int32>? = [0]) -> [Substring]? {
            guard let section = sections[Substring(label.rawValue)], statuses?.contains(section.status) ?? true else { return nil }
            return section.output.fields(separatedBy: "\n")
        }
        // stat and dpkg-query exit 1 when some of what they were asked for does not exist.
        paths = body(.paths, succeedsWith: [0, 1]).map { lines in
            var paths: [String: PathState] = [:]
            for line in lines {
                let fields = line.fields(separatedBy: "|", maxSplits: 4).map(String.init)
                guard fields.count == 5 else { continue }
                paths[fields[4]] = switch fields[0] {
                case "regular file", "regular empty file": .regularFile(mode: fields[1], owner: fields[2], group: fields[3])
                case "directory": .directory(mode: fields[1], owner: fields[2], group: fields[3])
                default: .other(fields[0])
                }
            }
            return paths
        }
        // sha256sum exits 1 when a file could not be read: that file has no digest, the others do.
        digests = body(.digests, succeedsWith: nil).map { lines in
            var digests: [String: String] = [:]
            for line in lines where line.utf8.count > 66 {
                // `HEX  NAME`; a name with a newline or backslash is printed escaped, behind a
                // leading backslash: such a file has no digest here.
                let bytes = line.utf8
                let hexEnd = bytes.index(bytes.startIndex, offsetBy: 64), nameStart = bytes.index(hexEnd, offsetBy: 2)
                let separator = bytes[hexEnd..<nameStart]
                guard separator.elementsEqual("  ".utf8) || separator.elementsEqual(" *".utf8),
                      bytes[..<hexEnd].allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }) else { continue }
                digests[String(Substring(bytes[nameStart...]))] = String(Substring(bytes[..<hexEnd]))
            }
            return digests
        }
        debianPackages = body(.debianPackages, succeedsWith: [0, 1]).map { lines in
            var packages: [String: [String]] = [:]
            for line in lines {
                let fields = line.fields(separatedBy: "|").map(String.init)
                guard fields.count == 4 else { continue }
                let state = "\(fields[2])|\(fields[3])"
                packages[fields[0], default: []].append(state)
                if fields[1] != fields[0] { packages[fields[1], default: []].append(state) }
            }
            return packages
        }
        // rpm's exit status is the number of packages that are not installed.
        rpmLines = body(.rpmPackages, succeedsWith: nil)
        units = body(.units).flatMap { lines in
            // One block per unit asked for, in order, each with both properties.
            var blocks: [[String: String]] = [[:]]
            for line in lines {
                if line.isEmpty {
                    if !blocks[blocks.count - 1].isEmpty { blocks.append([:]) }
                } else if let equals = line.firstIndex(of: "=") {
                    blocks[blocks.count - 1][String(line[..<equals])] = String(line[line.index(after: equals)...])
                }
            }
            if blocks.last?.isEmpty == true { blocks.removeLast() }
            guard blocks.count == queries.units.count else { return nil }
            var units: [String: (fileState: String, activeState: String)] = [:]
            for (unit, block) in zip(queries.units, blocks) {
                guard block.count == 2, let fileState = block["UnitFileState"], let activeState = block["ActiveState"] else { return nil }
                units[unit] = (fileState, activeState)
            }
            return units
        }
        container = body(.container).flatMap { $0.count == 1 ? String($0[0]) : nil }
        // getent exits 2 when some of the users do not exist.
        accounts = body(.accounts, succeedsWith: [0, 2]).map { lines in
            var accounts: [String: Account] = [:]
            for line in lines {
                let fields = line.fields(separatedBy: ":").map(String.init)
                if fields.count == 7 { accounts[fields[0]] = Account(fields: fields) }
            }
            return accounts
        }
        groups = body(.groups).map { lines in
            lines.compactMap { line in
                let fields = line.fields(separatedBy: ":")
                guard fields.count == 4 else { return nil }
                return Group(line: String(line), name: String(fields[0]), gid: String(fields[2]),
                             members: fields[3].fields(separatedBy: ",").filter { !$0.isEmpty }.map(String.init))
            }
        }
        kernelSettings = body(.kernelSettings).map { lines in
            var settings: [String: KernelSetting] = [:]
            for line in lines {
                let fields = line.fields(separatedBy: "|", maxSplits: 2).map(String.init)
                guard fields.count == 3 else { continue }
                switch fields[0] {
                case "live": settings[fields[1]] = .live(fields[2])
                case "read-only" where fields[2].isEmpty: settings[fields[1]] = .readOnly
                case "no-such-key" where fields[2].isEmpty: settings[fields[1]] = .noSuchKey
                default: continue
                }
            }
            return settings
        }
        lineCounts = body(.lineCounts).map { lines in
            var counts: [Int: (exact: Int, matching: Int)] = [:]
            for line in lines {
                let fields = line.fields(separatedBy: " ")
                guard fields.count == 3, let index = Int(fields[0]), let exact = Int(fields[1]), let matching = Int(fields[2]) else { continue }
                counts[index] = (exact, matching)
            }
            return counts
        }
    }

    /// What a script printed; nil when its section is missing.
    public func script(_ script: String) -> String? {
        queries.scriptIndex[script].flatMap { scriptOutputs[$0] }
    }

    /// nil: unknown (the section is missing or garbled).
    public func path(_ path: String) -> PathState? {
        paths.map { $0[path] ?? .absent }
    }

    /// The sha256 of a regular file's content: nil when unknown (the section is missing),
    /// `.some(nil)` where there is none (not a regular file, or it could not be read).
    public func digest(of path: String) -> String?? {
        digests.map { $0[path] }
    }

    /// `STATUS|VERSION` as dpkg-query prints them, `not-installed|` for a package dpkg does
    /// not know, one line per architecture where several are installed.
    public func debianPackage(_ package: String) -> String? {
        debianPackages.map { $0[package]?.joined(separator: "\n") ?? "not-installed|" }
    }

    /// `installed|VERSION-RELEASE` (the first one installed) or `not-installed|`.
    public func rpmPackage(_ package: String) -> String? {
        guard let rpmLines else { return nil }
        if let line = rpmLines.first(where: { $0.hasPrefix(package + "|installed|") }) { return String(line.dropFirst(package.count + 1)) }
        return rpmLines.contains("package \(package) is not installed") ? "not-installed|" : nil
    }

    public func unit(_ unit: String) -> (fileState: String, activeState: String)? {
        units?[unit]
    }

    /// The passwd entry of a user: nil when unknown, `.some(nil)` when there is no such user.
    public func account(_ user: String) -> Account?? {
        accounts.map { $0[user] }
    }

    public func kernelSetting(_ procPath: String) -> KernelSetting? {
        kernelSettings?[procPath]
    }

    /// Exact and matching line counts of a regular file; nil when it could not be read.
    public func lineCount(path: String, line: String, match: String?) -> (exact: Int, matching: Int)? {
        guard let index = queries.lineCountIndex[FactQueries.LineCount(path: path, line: line, match: match)] else { return nil }
        return lineCounts?[index]
    }
}
