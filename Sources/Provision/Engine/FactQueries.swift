/// The facts a host's resources ask for, grouped by kind (each once, in the order first asked),
/// and the part of the probe script that reads them: one section per kind, each one process at
/// most (`stat`, `sha256sum`, `dpkg-query`, `rpm`, `systemctl show`, `getent passwd`, `getent
/// group`, `awk`, and `systemd-detect-virt` where systemd did not boot the host); kernel
/// settings, file types and a systemd host's container kind are read with shell builtins. Names are quoted by `Shell.quote` and passed as arguments, never spliced into code.
public struct FactQueries: Sendable, Equatable {
    var paths: [String] = []
    var debianPackages: [String] = []
    var rpmPackages: [String] = []
    var units: [String] = []
    var container = false
    var accounts: [String] = []
    var groups = false
    var kernelSettings: [String] = []
    var lineCounts: [LineCount] = []
    var scripts: [String] = []
    /// Where each line count and script is in its list: the number of its output line or section.
    var lineCountIndex: [LineCount: Int] = [:]
    var scriptIndex: [String: Int] = [:]

    struct LineCount: Hashable, Sendable {
        var path: String
        var line: String
        var match: String?
    }

    public init(_ facts: some Sequence<HostFact>) {
        var seen = Set<HostFact>()
        for fact in facts where seen.insert(fact).inserted {
            switch fact {
            case .path(let path): paths.append(path)
            case .debianPackage(let package): debianPackages.append(package)
            case .rpmPackage(let package): rpmPackages.append(package)
            case .unit(let unit): units.append(unit)
            case .container: container = true
            case .account(let user): accounts.append(user)
            case .groups: groups = true
            case .kernelSetting(let path): kernelSettings.append(path)
            case .lineCount(let path, let line, let match):
                lineCountIndex[LineCount(path: path, line: line, match: match)] = lineCounts.count
                lineCounts.append(LineCount(path: path, line: line, match: match))
            case .script(let script):
                scriptIndex[script] = scripts.count
                scripts.append(script)
            }
        }
    }

    /// Section labels, one per kind of fact.
    enum Label: String, CaseIterable {
        case container, accounts, groups, paths, digests, debianPackages = "deb", rpmPackages = "rpm", units, kernelSettings = "sysctl", lineCounts = "lines"
    }

    /// The shell that prints one framed section per kind asked for (`ProbeScript.section`).
    var script: String {
        var script = ""
        func section(_ label: Label, _ body: String, status: String = "\"$?\"") {
            script += ProbeScript.section(label.rawValue, body, status: status)
        }
        func words(_ values: [String]) -> String { values.map(Shell.quote).joined(separator: " ") }
        if container {
            // A host booted with systemd was told at boot, and kept it: systemd writes the
            // container's kind to /run/systemd/container, and nothing where there is none (what
            // `systemd-detect-virt --container` reads first there). Only elsewhere is it asked.
            section(.container, """
                if [ -r /run/systemd/container ]; then read -r provision_c < /run/systemd/container
                elif [ -d /run/systemd/system ]; then provision_c=none
                else provision_c=$(systemd-detect-virt --container 2>/dev/null) || provision_c=none; fi
                printf '%s\\n' "${provision_c:-none}"
                """, status: "0")
        }
        if !accounts.isEmpty {
            // Kept for the digests of the users' authorized_keys below.
            script += "provision_accounts=$(getent passwd \(words(accounts))); provision_accounts_status=$?\n"
            section(.accounts, "printf '%s\\n' \"$provision_accounts\"", status: "\"$provision_accounts_status\"")
        }
        if groups { section(.groups, "getent group") }
        if !paths.isEmpty { section(.paths, "stat -L -c '%F|%a|%U|%G|%n' -- \(words(paths)) 2>/dev/null") }
        if !paths.isEmpty || !accounts.isEmpty {
            // Only regular files are read: a FIFO among the paths would never end.
            script += "set --\n"
            if !paths.isEmpty { script += "for provision_f in \(words(paths)); do [ -f \"$provision_f\" ] && set -- \"$@\" \"$provision_f\"; done\n" }
            if !accounts.isEmpty {
                script += """
                    while IFS=: read -r _ _ _ _ _ provision_h _; do [ -n "$provision_h" ] && [ -f "$provision_h/.ssh/authorized_keys" ] && set -- "$@" "$provision_h/.ssh/authorized_keys"; done <<PROVISION_ACCOUNTS
                    $provision_accounts
                    PROVISION_ACCOUNTS

                    """
            }
            section(.digests, "if [ $# -gt 0 ]; then sha256sum -- \"$@\" 2>/dev/null; fi")
        }
        if !debianPackages.isEmpty {
            section(.debianPackages, "dpkg-query -W -f='${Package}|${binary:Package}|${Status}|${Version}\\n' \(words(debianPackages)) 2>/dev/null")
        }
        if !rpmPackages.isEmpty {
            section(.rpmPackages, "rpm -q --qf '%{NAME}|installed|%{VERSION}-%{RELEASE}\\n' \(words(rpmPackages)) 2>/dev/null")
        }
        if !units.isEmpty { section(.units, "systemctl show -p ActiveState -p UnitFileState -- \(words(units)) 2>/dev/null") }
        if !kernelSettings.isEmpty {
            section(.kernelSettings, """
                provision_ro=no
                while read -r _ provision_m _ provision_o _; do
                  if [ "$provision_m" = /proc/sys ]; then case "$provision_o" in ro|ro,*) provision_ro=yes ;; esac; fi
                done < /proc/self/mounts
                for provision_p in \(words(kernelSettings)); do
                  if [ -r "$provision_p" ] && [ -w "$provision_p" ]; then
                    provision_v=; IFS= read -r provision_v < "$provision_p"; printf 'live|%s|%s\\n' "$provision_p" "$provision_v"
                  elif [ -r "$provision_p" ] || [ "$provision_ro" = yes ]; then printf 'read-only|%s|\\n' "$provision_p"
                  else printf 'no-such-key|%s|\\n' "$provision_p"; fi
                done
                """, status: "0")
        }
        if !lineCounts.isEmpty {
            script += "set --\n"
            for (index, count) in lineCounts.enumerated() {
                let path = Shell.quote(count.path)
                script += "[ -f \(path) ] && set -- \"$@\" \(index) \(path) \(Shell.quote(count.line)) \(Shell.quote(count.match ?? ""))\n"
            }
            section(.lineCounts, "if [ $# -gt 0 ]; then awk \(Shell.quote(Self.countLines)) \"$@\"; fi")
        }
        for (index, probe) in scripts.enumerated() { script += ProbeScript.section("script\(index)", "(\n\(probe)\n)") }
        return script
    }

    /// Arguments in fours (index, path, line, regex or empty); prints `INDEX EXACT MATCHING`
    /// for each file it could read to its end.
    static let countLines = """
        BEGIN {
          for (i = 1; i + 3 < ARGC; i += 4) {
            file = ARGV[i + 1]; exact = 0; matching = 0
            while ((status = (getline text < file)) > 0) {
              if (text == ARGV[i + 2]) exact++
              if (ARGV[i + 3] != "" && text ~ ARGV[i + 3]) matching++
            }
            close(file)
            if (status == 0) print ARGV[i], exact, matching
          }
          exit
        }
        """
}
