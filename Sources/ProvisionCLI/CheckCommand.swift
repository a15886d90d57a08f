import ArgumentParser
import Provision

struct CheckCommand: ConvergeCommand {
    static let mode = Engine.Mode.check

    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Report what has drifted from the hosts' roles; change nothing (exit 2 on drift).",
        discussion: "One SSH exec per host reads the state of all its resources. Exit codes: 0 nothing to do, 2 changes/drift, 1 a resource failed, 4 a host unreachable (combined).")

    @OptionGroup var options: ConvergeOptions
}
