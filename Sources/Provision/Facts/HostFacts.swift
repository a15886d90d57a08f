/// What a host is, read in one exec: OS, kernel, CPU virtualisation, memory, /dev/kvm.
/// The probe is POSIX sh printing `key=value` lines between markers, so output that is not
/// what the probe prints (a login banner, a broken shell) is reported, never half-read.
public struct HostFacts: Sendable, Equatable {
    public var values: [String: String]

    public static let begin = "--- provision facts v1 ---"
    public static let end = "--- end ---"

    public static let probe = """
        set -u
        echo '\(begin)'
        . /etc/os-release 2>/dev/null
        echo "os_id=${ID:-unknown}"
        echo "os_version=${VERSION_ID:-unknown}"
        echo "hostname=$(hostname 2>/dev/null || cat /etc/hostname)"
        echo "kernel=$(uname -r)"
        echo "architecture=$(uname -m)"
        echo "cpus=$(grep -c ^processor /proc/cpuinfo)"
        echo "memory_kib=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
        if grep -Eq '(vmx|svm)' /proc/cpuinfo; then echo cpu_virtualization=yes; else echo cpu_virtualization=no; fi
        if [ -c /dev/kvm ]; then echo dev_kvm=yes; else echo dev_kvm=no; fi
        if command -v systemd-detect-virt >/dev/null 2>&1; then echo "virtualization=$(systemd-detect-virt 2>/dev/null || true)"; fi
        echo '\(end)'
        """

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func parse(_ output: String) throws(ParseError) -> HostFacts {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let first = lines.firstIndex(of: begin), let last = lines.lastIndex(of: end), first < last else {
            throw ParseError(description: "the facts probe's output lacks its markers; the host printed:\n\(output.prefix(500))")
        }
        var values: [String: String] = [:]
        for line in lines[(first + 1)..<last] {
            guard let equals = line.firstIndex(of: "="), equals != line.startIndex else {
                throw ParseError(description: "unexpected line in the facts probe's output: '\(line.prefix(200))'")
            }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return HostFacts(values: values)
    }
}
