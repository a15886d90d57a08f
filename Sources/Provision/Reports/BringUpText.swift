/// How `up` prints its result for people: one row per host, the stage it reached and how.
public enum BringUpText {
    public static func table(_ outcomes: [BringUp.Outcome]) -> String {
        TextTable.render(header: ["HOST", "STAGE", "RESULT"], rows: outcomes.map { outcome in
            [outcome.host, outcome.stage.rawValue, outcome.failure.map { "FAILED: \($0)" } ?? (outcome.alreadyReady ? "ready (already)" : "ready")]
        })
    }
}
