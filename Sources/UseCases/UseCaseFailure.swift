import Provision

/// Every way a use case ends badly, and its exit status: 64 bad input or a refusal (nothing
/// touched), 1 a failure while doing the work, 4 a host or BMC unreachable.
public enum UseCaseFailure: Error, CustomStringConvertible, Sendable {
    case invalidInput(String)
    case refused(String)
    case failed(String)
    case unreachable(String)

    public var description: String {
        switch self {
        case .invalidInput(let text), .refused(let text), .failed(let text), .unreachable(let text): text
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .invalidInput, .refused: .invalidInput
        case .failed: .failed
        case .unreachable: .unreachable
        }
    }
}
