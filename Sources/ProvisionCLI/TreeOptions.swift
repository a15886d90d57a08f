import ArgumentParser

/// Where the rendered netboot tree lives.
struct TreeOptions: ParsableArguments {
    @Option(name: [.customLong("out"), .customLong("tree")], help: ArgumentHelp("The netboot tree directory (default: $PROVISION_TREE, else pxe/current).", valueName: "dir"))
    var tree: String?
}
