import ArgumentParser
import Provision

struct ApplyCommand: ConvergeCommand {
    static let mode = Engine.Mode.apply

    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Converge hosts to their roles: fix what differs, run notified handlers once (exit 2 when something changed).",
        discussion: "One SSH exec per host reads the state of all its resources. Exit codes: 0 nothing to do, 2 changes/drift, 1 a resource failed, 4 a host unreachable (combined).")

    @OptionGroup var options: ConvergeOptions
}
