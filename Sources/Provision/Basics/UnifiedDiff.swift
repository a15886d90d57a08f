/// A unified diff of two texts (`diff -u` style), for showing what a render or an apply changes.
public enum UnifiedDiff {
    /// Returns nil when the texts are equal.
    public static func diff(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String? {
        if old == new { return nil }
        let a = lines(old), b = lines(new)
        let script = editScript(a, b)
        var output = "--- \(oldName)\n+++ \(newName)\n"
        // Group the edit script into hunks with `context` unchanged lines around changes.
        var index = 0
        while index < script.count {
            guard let start = script[index...].firstIndex(where: { $0.kind != .same }) else { break }
            var end = start
            var probe = start
            while probe < script.count {
                if script[probe].kind != .same { end = probe; probe += 1; continue }
                let nextChange = script[probe...].firstIndex(where: { $0.kind != .same })
                guard let nextChange, nextChange - end <= context * 2 else { break }
                probe = nextChange
            }
            let from = max(0, start - context), to = min(script.count - 1, end + context)
            let hunk = script[from...to]
            let oldStart = hunk.first!.oldLine, newStart = hunk.first!.newLine
            let oldCount = hunk.filter { $0.kind != .insert }.count, newCount = hunk.filter { $0.kind != .delete }.count
            output += "@@ -\(oldStart + (oldCount == 0 ? 0 : 1)),\(oldCount) +\(newStart + (newCount == 0 ? 0 : 1)),\(newCount) @@\n"
            for edit in hunk {
                switch edit.kind {
                case .same: output += " \(edit.text)\n"
                case .delete: output += "-\(edit.text)\n"
                case .insert: output += "+\(edit.text)\n"
                }
            }
            index = to + 1
        }
        return output
    }

    private static func lines(_ text: String) -> [Substring] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    struct Edit {
        enum Kind { case same, delete, insert }
        var kind: Kind
        var text: Substring
        /// Lines of old and new consumed before this edit.
        var oldLine: Int
        var newLine: Int
    }

    /// Longest-common-subsequence edit script; inputs here are config files of modest size.
    static func editScript(_ a: [Substring], _ b: [Substring]) -> [Edit] {
        let n = a.count, m = b.count
        var lcs = [[Int32]](repeating: [Int32](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var edits: [Edit] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] {
                edits.append(Edit(kind: .same, text: a[i], oldLine: i, newLine: j)); i += 1; j += 1
            } else if i < n, j == m || lcs[i + 1][j] >= lcs[i][j + 1] {
                // Deletions first, as diff(1) prints them.
                edits.append(Edit(kind: .delete, text: a[i], oldLine: i, newLine: j)); i += 1
            } else {
                edits.append(Edit(kind: .insert, text: b[j], oldLine: i, newLine: j)); j += 1
            }
        }
        return edits
    }
}
