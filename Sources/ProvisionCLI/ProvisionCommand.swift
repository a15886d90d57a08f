import ArgumentParser
import Provision

@main
struct ProvisionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Install bare-metal KVM hosts from a YAML inventory, exactly once.",
        discussion: """
            Environment: PROVISION_INVENTORY, PROVISION_STATE and PROVISION_TREE are the defaults of \
            --inventory, --state and --tree (the package sets them in /etc/provision/provision.env). \
            The built-in templates are read from $PROVISION_SHARE/templates when it is set, else from \
            ../share/provision/templates beside the executable's directory (/usr/share/provision for \
            /usr/bin/provision), else from the checkout the binary was built in.
            """,
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
