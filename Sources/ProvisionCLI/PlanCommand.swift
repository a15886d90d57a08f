import ArgumentParser
import Provision

struct PlanCommand: ConvergeCommand {
    static let mode = Engine.Mode.plan

    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show, per host, what apply would change (exit 2 when something would).",
        discussion: "One SSH exec per host reads the state of all its resources. Exit codes: 0 nothing to do, 2 changes/drift, 1 a resource failed, 4 a host unreachable (combined).")

    @OptionGroup var options: ConvergeOptions
}
