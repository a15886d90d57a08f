import ArgumentParser
import Provision
import UseCases

// How the library's values are read from the command line: each refuses what it cannot be
// with ArgumentParser's "The value 'x' is invalid for '--option'" and the option's help, at
// parse time (exit 64), before a command runs.

extension Engine.Share: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension Shard: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension ListenAddress: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension PowerRun.Action: ExpressibleByArgument {}

extension ReportFile {
    /// `--report FORMAT=FILE`, with what is wrong (an unknown format, with the nearest one).
    static func argument(_ text: String) throws -> ReportFile {
        switch parse(text) {
        case .success(let file): return file
        case .failure(let error): throw ValidationError(error.message)
        }
    }
}

extension Since: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
