import ArgumentParser
import Foundation
import Provision

/// Every way a command ends badly, and the exit code it maps to (the design brief's table):
/// 64 bad usage or invalid input (nothing touched), 1 a failure while doing the work,
/// 4 a host unreachable.
enum Failure: Error, CustomStringConvertible {
    case invalidInput(String)
    case refused(String)
    case failed(String)
    /// A host could not be reached (connect, host key, authentication).
    case unreachable(String)

    var description: String {
        switch self {
        case .invalidInput(let text), .refused(let text), .failed(let text), .unreachable(let text): text
        }
    }

    var exitCode: ExitCode {
        switch self {
        case .invalidInput, .refused: ExitCode(64)
        case .failed: ExitCode(1)
        case .unreachable: ExitCode(4)
        }
    }
}

extension AsyncParsableCommand {
    /// Runs a command body, printing a `Failure` to stderr and exiting with its code.
    func reportingFailures(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as Failure {
            FileHandle.standardError.write(Data((failure.description + "\n").utf8))
            throw failure.exitCode
        }
    }
}
