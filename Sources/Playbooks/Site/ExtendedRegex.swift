import Foundation

/// Whether a `line_in_file` regexp is a POSIX extended regular expression: the host's awk reads
/// it both to count matching lines (the probe, one awk for every line-in-file resource of the
/// host) and to replace them (the fix). One the host's awk cannot compile would leave every
/// line-in-file resource of the host unknown at each check: it is refused when the playbook is
/// read, with the C library's own reason.
enum ExtendedRegex {
    /// nil when `pattern` compiles as an extended regular expression; else why not.
    static func problem(in pattern: String) -> String? {
        guard !pattern.utf8.contains(0) else { return "it contains a NUL byte" }
        var compiled = regex_t()
        let status = regcomp(&compiled, pattern, REG_EXTENDED | REG_NOSUB)
        // Only a compiled expression is freed (POSIX); a failed one holds nothing.
        guard status != 0 else {
            regfree(&compiled)
            return nil
        }
        var message = [CChar](repeating: 0, count: 256)
        regerror(status, &compiled, &message, message.count)
        return String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
