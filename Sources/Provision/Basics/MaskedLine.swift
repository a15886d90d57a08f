/// A source line as an error excerpt shows it: the value of every key that looks like it holds
/// a secret (`root_password: hunter2`, `{password: calvin}`, `api_token: "..."`) is masked, the
/// key stays. The excerpt is printed because something on the line is wrong, quite often that
/// a secret was written inline; it must not then print the secret back (to a terminal, a CI
/// log). Keys that name where a secret is (`password_env`, `secret_file`) are not masked.
public struct MaskedLine: Sendable {
    public private(set) var text: String
    /// The masked values' character offsets in the original line.
    private var spans: [Range<Int>] = []

    static let mask = "********"
    static let secretWords = ["password", "passwd", "passphrase", "secret", "token", "credential", "apikey", "api_key", "private_key"]

    public init(_ line: String) {
        let characters = Array(line)
        var spans: [Range<Int>] = []
        for (index, character) in characters.enumerated() where character == ":" {
            guard index + 1 == characters.count || characters[index + 1] == " " || characters[index + 1] == "\t",
                  let key = Self.key(endingBefore: index, in: characters), Self.looksSecret(String(characters[key.range])),
                  let value = Self.value(after: index + 1, in: characters, flow: key.inFlow) else { continue }
            spans.append(value)
        }
        var masked = characters
        for span in spans.reversed() { masked.replaceSubrange(span, with: Self.mask) }
        text = String(masked)
        self.spans = spans
    }

    /// Where a 1-based column of the original line is in the masked one (a caret inside a
    /// masked value points at its start).
    public func column(for column: Int) -> Int {
        let offset = column - 1
        var shift = 0
        for span in spans {
            if offset >= span.upperBound {
                shift += Self.mask.count - span.count
            } else if offset >= span.lowerBound {
                return span.lowerBound + shift + 1
            }
        }
        return offset + shift + 1
    }

    private static func looksSecret(_ key: String) -> Bool {
        let key = key.lowercased()
        return secretWords.contains { key.contains($0) } && !key.hasSuffix("_env") && !key.hasSuffix("_file")
    }

    /// The key before the `:` at `colon` (plain or quoted), and whether it is in a flow mapping.
    private static func key(endingBefore colon: Int, in characters: [Character]) -> (range: Range<Int>, inFlow: Bool)? {
        var start = colon
        var end = colon
        if colon > 0, characters[colon - 1] == "\"" || characters[colon - 1] == "'" {
            end = colon - 1
            guard let open = characters[..<end].lastIndex(of: characters[colon - 1]) else { return nil }
            start = open + 1
            guard start <= end else { return nil }
            let before = characters[..<open].last { $0 != " " }
            return (start..<end, before == "{" || before == ",")
        }
        while start > 0, characters[start - 1].isLetter || characters[start - 1].isNumber || "_-.".contains(characters[start - 1]) { start -= 1 }
        guard start < end else { return nil }
        let before = characters[..<start].last { $0 != " " }
        guard start == 0 || characters[start - 1] == " " || characters[start - 1] == "{" || characters[start - 1] == "," else { return nil }
        return (start..<end, before == "{" || before == ",")
    }

    /// The value that starts after the separator at `from`: quoted, up to its closing quote; in
    /// a flow mapping, up to `,` or `}`; else up to a comment or the end of the line. Nothing
    /// for a nested mapping (its own keys are looked at) or a block scalar's indicator.
    private static func value(after from: Int, in characters: [Character], flow: Bool) -> Range<Int>? {
        guard let start = characters[from...].firstIndex(where: { $0 != " " && $0 != "\t" }) else { return nil }
        switch characters[start] {
        case "{", "|", ">", "#", "&", "*":
            return nil
        case "\"", "'":
            let quote = characters[start]
            var index = start + 1
            while index < characters.count {
                if characters[index] == "\\", quote == "\"" { index += 2; continue }
                // In single quotes, '' is a quote within the value.
                if characters[index] == "'", quote == "'", index + 1 < characters.count, characters[index + 1] == "'" { index += 2; continue }
                if characters[index] == quote { return start..<(index + 1) }
                index += 1
            }
            return start..<characters.count
        case "[":
            let close = characters[start...].firstIndex(of: "]").map { $0 + 1 } ?? characters.count
            return start..<close
        default:
            var end = characters.count
            if flow, let stop = characters[start...].firstIndex(where: { $0 == "," || $0 == "}" }) { end = stop }
            if let comment = (start..<end).first(where: { characters[$0] == "#" && characters[$0 - 1] == " " }) { end = comment }
            while end > start, characters[end - 1] == " " { end -= 1 }
            return start..<end
        }
    }
}
