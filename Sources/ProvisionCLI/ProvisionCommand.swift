import ArgumentParser
import Provision

@main
struct ProvisionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Install bare-metal KVM hosts from a YAML inventory, exactly once.",
        version: ProvisionVersion.current,
        subcommands: [
            ValidateCommand.self,
            NetbootCommand.self,
            ServeCommand.self,
            InstallCommand.self,
            UpCommand.self,
            StatusCommand.self,
            HistoryCommand.self,
            PlanCommand.self,
            ApplyCommand.self,
            CheckCommand.self,
            FactsCommand.self,
            PowerCommand.self,
            LabCommand.self,
        ]
    )
}
