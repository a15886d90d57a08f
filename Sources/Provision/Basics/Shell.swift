/// Quoting for POSIX sh: every value that goes into a probe or fix script passes through here.
public enum Shell {
    /// `it's` → `'it'\''s'`: safe for any byte string.
    public static func quote(_ value: String) -> String {
        "'" + value.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}
