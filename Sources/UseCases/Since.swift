import Foundation

/// `--since`: a date (`2026-11-20`), a date and time (`2026-11-20T10:00:00Z` or with a space),
/// or an age before now (`90m`, `12h`, `7d`), which becomes a time only when the command runs.
public enum Since: Sendable, Equatable {
    case time(Date)
    case age(TimeInterval)

    public init?(_ text: String) {
        if let unit = text.last, let amount = Double(text.dropLast()), amount >= 0 {
            switch unit {
            case "m": self = .age(amount * 60); return
            case "h": self = .age(amount * 3600); return
            case "d": self = .age(amount * 86_400); return
            default: break
            }
        }
        let normalized = text.replacingOccurrences(of: " ", with: "T")
        let full = ISO8601DateFormatter()
        if let date = full.date(from: normalized) ?? full.date(from: normalized + "Z") { self = .time(date); return }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        guard let date = day.date(from: text) else { return nil }
        self = .time(date)
    }

    public func date(now: Date) -> Date {
        switch self {
        case .time(let date): date
        case .age(let seconds): now.addingTimeInterval(-seconds)
        }
    }
}
