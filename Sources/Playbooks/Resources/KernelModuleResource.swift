import Provision

/// A kernel module: loaded now, loaded at every boot (/etc/modules-load.d), and its options
/// (/etc/modprobe.d). Options take effect when the module is next loaded; what is compared is
/// the persisted options and whether the module is loaded.
public struct KernelModuleResource: Resource {
    public var module: String
    public var options: [String]
    var files: FileSet

    public init(_ module: String, options: [String] = []) {
        self.module = module
        self.options = options
        var files = [FileResource("/etc/modules-load.d/provision-\(module).conf", content: "# Managed by provision.\n\(module)\n")]
        if !options.isEmpty {
            files.append(FileResource("/etc/modprobe.d/provision-\(module).conf",
                                      content: "# Managed by provision.\noptions \(module) \(options.joined(separator: " "))\n"))
        }
        self.files = FileSet(files)
    }

    public var kind: String { "kernel-module" }
    public var name: String { module }

    /// The kernel lists modules with underscores, whichever way they are spelled.
    var sysfsPath: String { "/sys/module/" + module.replacingOccurrences(of: "-", with: "_") }

    /// `loaded` or `not-loaded`, then the files' lines.
    public var probe: Probe {
        .facts([.path(sysfsPath)] + files.facts) { [sysfsPath, files] facts in
            guard let module = facts.path(sysfsPath), let lines = files.probed(in: facts) else { return nil }
            if case .directory = module { return "loaded\n" + lines }
            return "not-loaded\n" + lines
        }
    }

    public func compare(probed: String) -> Comparison {
        let lines = probed.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, first == "loaded" || first == "not-loaded" else {
            return .unknown("unexpected probe output: '\(probed.prefix(120))'")
        }
        var changes = first == "loaded" ? [] : ["load"]
        switch files.compare(lines: lines.dropFirst()) {
        case .inSync: break
        case .change(let summary): changes.append(summary)
        case .unknown(let reason): return .unknown(reason)
        }
        return changes.isEmpty ? .inSync : .change(changes.joined(separator: "; "))
    }

    public var fix: String {
        files.fix + "\n[ -d \(Shell.quote(sysfsPath)) ] || modprobe \(Shell.quote(module))"
    }
}
