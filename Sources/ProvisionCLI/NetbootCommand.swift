import ArgumentParser

struct NetbootCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netboot",
        abstract: "Render the netboot tree (boot configs, install files, dnsmasq config) and fill its boot loaders.",
        subcommands: [RenderCommand.self, AssetsCommand.self])
}
