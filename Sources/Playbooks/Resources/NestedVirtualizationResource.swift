import Provision

/// Nested virtualisation for the CPU's vendor: `nested=1` for kvm_intel or kvm_amd, persisted in
/// /etc/modprobe.d (both vendors' lines: which one applies is the CPU's business) and live. The
/// live value changes only by reloading the module, which is refused while guests run (the
/// option then applies at the next boot, and check keeps saying so).
public struct NestedVirtualizationResource: Resource {
    public var file = FileResource("/etc/modprobe.d/provision-kvm-nested.conf", content: """
        # Managed by provision (role hypervisor).
        options kvm_intel nested=1
        options kvm_amd nested=1

        """)

    public init() {}

    /// The file as a set, the shape every file-managing resource probes, compares and fixes.
    var files: FileSet { FileSet([file]) }

    public var kind: String { "nested-virtualization" }
    public var name: String { "kvm" }

    /// `MODULE NESTED` (`kvm_intel Y`, `kvm_amd unloaded`, `none unloaded`), then the file's line.
    public var probe: Probe {
        let module = """
            if grep -q vmx /proc/cpuinfo; then module=kvm_intel; elif grep -q svm /proc/cpuinfo; then module=kvm_amd; else module=none; fi
            printf '%s %s\\n' "$module" "$(cat /sys/module/$module/parameters/nested 2>/dev/null || echo unloaded)"
            """
        return .facts([.script(module)] + files.facts) { [files] facts in
            guard let line = facts.script(module), let fileLine = files.probed(in: facts) else { return nil }
            return line + "\n" + fileLine
        }
    }

    public func compare(probed: String) -> Comparison {
        let lines = probed.split(separator: "\n", omittingEmptySubsequences: false)
        let fields = lines.first?.split(separator: " ") ?? []
        guard lines.count == 2, fields.count == 2 else { return .unknown("unexpected probe output: '\(probed.prefix(120))'") }
        var changes: [String] = []
        switch (fields[0], fields[1]) {
        case ("none", _): return .unknown("the CPU offers no hardware virtualisation: nothing to nest")
        case (_, "Y"), (_, "1"): break
        case (let module, "unloaded"): changes.append("load \(module) with nested=1")
        case (let module, _): changes.append("reload \(module) with nested=1")
        }
        switch files.compare(lines: lines[1...]) {
        case .inSync: break
        case .change(let summary): changes.append(summary)
        case .unknown(let reason): return .unknown(reason)
        }
        return changes.isEmpty ? .inSync : .change(changes.joined(separator: "; "))
    }

    public var fix: String {
        files.fix + """

            if grep -q vmx /proc/cpuinfo; then module=kvm_intel; else module=kvm_amd; fi
            case "$(cat /sys/module/$module/parameters/nested 2>/dev/null)" in Y|1) exit 0 ;; esac
            if [ -d /sys/module/$module ]; then
              if [ "$(cat /sys/module/kvm/refcnt 2>/dev/null || echo 0)" -gt 1 ]; then
                echo "guests are running: nested virtualisation applies when $module is next loaded (at the next boot)" >&2; exit 1
              fi
              modprobe -r $module
            fi
            modprobe $module
            """
    }
}
