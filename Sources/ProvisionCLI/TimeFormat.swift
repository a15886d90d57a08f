import Foundation

/// How commands print times and read them: `2026-11-25 01:30:02` (UTC, as logs and the state
/// file keep them), `-` for none.
enum TimeFormat {
    static func text(_ date: Date?) -> String {
        guard let date else { return "-" }
        return date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeSeparator(.colon).dateTimeSeparator(.space))
    }

    /// `--since`: a date (`2026-11-20`), a date and time (`2026-11-20T10:00:00Z` or with a
    /// space), or an age before now (`90m`, `12h`, `7d`).
    static func since(_ text: String, now: Date = Date()) -> Date? {
        if let unit = text.last, let amount = Double(text.dropLast()), amount >= 0 {
            switch unit {
            case "m": return now.addingTimeInterval(-amount * 60)
            case "h": return now.addingTimeInterval(-amount * 3600)
            case "d": return now.addingTimeInterval(-amount * 86_400)
            default: break
            }
        }
        let normalized = text.replacingOccurrences(of: " ", with: "T")
        let full = ISO8601DateFormatter()
        if let date = full.date(from: normalized) ?? full.date(from: normalized + "Z") { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: text)
    }
}
