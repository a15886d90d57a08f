import Foundation

/// How commands print times: `2026-11-25 01:30:02` (UTC, as logs and the state file keep
/// them), `-` for none.
public enum TimeFormat {
    public static func text(_ date: Date?) -> String {
        guard let date else { return "-" }
        return date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeSeparator(.colon).dateTimeSeparator(.space))
    }
}
