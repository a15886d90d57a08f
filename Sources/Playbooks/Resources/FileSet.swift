import Foundation
import Provision

/// The small files a resource keeps as part of its state (a sysctl's persisted setting, a
/// module's options, a repository's source and key): one probe line per file, compared
/// together, each written atomically with its content inline.
struct FileSet: Sendable {
    var files: [FileResource]

    init(_ files: [FileResource]) {
        self.files = files
    }

    var facts: [HostFact] { files.map { .path($0.path) } }

    /// One line per file, in order; nil when one is unknown.
    func probed(in facts: ProbedFacts) -> String? {
        var lines: [String] = []
        for file in files {
            guard let line = FileResource.probed(file.path, in: facts) else { return nil }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// Compares the probe lines of the files (one each); what differs is named by path.
    func compare(lines: ArraySlice<Substring>) -> Comparison {
        guard lines.count == files.count else {
            return .unknown("expected \(files.count) file probe lines, got \(lines.count)")
        }
        var changes: [String] = []
        for (file, line) in zip(files, lines) {
            switch file.compare(probed: String(line)) {
            case .inSync: break
            case .change(let summary): changes.append("\(file.path): \(summary)")
            case .unknown(let reason): return .unknown("\(file.path): \(reason)")
            }
        }
        return changes.isEmpty ? .inSync : .change(changes.joined(separator: "; "))
    }

    /// Writes every file; their directories are created when missing (a minimal system may
    /// lack /etc/modprobe.d until kmod is installed).
    var fix: String {
        files.map { "mkdir -p \(Shell.quote(($0.path as NSString).deletingLastPathComponent))\n" + $0.inlineWrite }.joined(separator: "\n")
    }
}
