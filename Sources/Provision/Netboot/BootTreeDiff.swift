import Foundation

/// What a render would change in the tree on disk: a unified diff of each added or changed
/// file, and a line for each file it would remove (boot assets placed by `netboot assets` are
/// carried over, so they are not removals).
public enum BootTreeDiff {
    /// The differences, in path order: diffs first, then removals.
    public static func changes(_ files: [NetbootRenderer.RenderedFile], against root: String) -> [String] {
        var changes: [String] = []
        var rendered = Set<String>()
        for file in files.sorted(by: { $0.path < $1.path }) {
            rendered.insert(file.path)
            let old = try? String(contentsOfFile: "\(root)/\(file.path)", encoding: .utf8)
            if let text = UnifiedDiff.diff(old: old ?? "", new: file.content, oldName: old == nil ? "/dev/null" : "a/\(file.path)", newName: "b/\(file.path)") {
                changes.append(text)
            }
        }
        let assets = Set(((try? String(contentsOfFile: "\(root)/\(BootTree.assetManifest)", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init))
        if let enumerator = FileManager.default.enumerator(atPath: root) {
            for case let path as String in enumerator where !rendered.contains(path) && !assets.contains(path) && path != BootTree.assetManifest && path != BootTree.renderManifest {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: "\(root)/\(path)", isDirectory: &isDirectory), !isDirectory.boolValue {
                    changes.append("removed: \(path)\n")
                }
            }
        }
        return changes
    }
}
