/// Quoting for POSIX sh: every value that goes into a probe or fix script passes through here.
public enum Shell {
    /// `it's` → `'it'\''s'`: safe for any byte string.
    public static func quote(_ value: String) -> String {
        // Most values have no quote to escape: every probe script quotes each of its host's paths.
        guard value.utf8.contains(UInt8(ascii: "'")) else { return "'" + value + "'" }
        return "'" + value.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}
