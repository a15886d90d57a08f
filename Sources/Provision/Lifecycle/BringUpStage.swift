/// The stages `provision up` takes a host through, in order. The install state records the
/// stage a host is at and how it went, so that a later `up` resumes there.
public enum BringUpStage: String, Sendable, Codable, CaseIterable, Comparable {
    /// The host is armed: its next network boot installs it.
    case arm
    /// The BMC makes the next boot, only that one, a network boot.
    case pxeOnce = "pxe-once"
    /// The BMC restarts the host (switches it on when it is off).
    case powerCycle = "power-cycle"
    /// Waiting for the installer's callback.
    case install
    /// Waiting for port 22, then for a login verified with the host key the installer reported.
    case ssh
    /// Applying the host's roles.
    case converge
    /// Brought up: installed and converged.
    case ready

    /// How a stage went.
    public enum Outcome: String, Sendable, Codable {
        case running, done, failed
    }

    /// The stage after this one; nil after `ready`.
    public var next: BringUpStage? {
        let all = Self.allCases
        let index = all.firstIndex(of: self)! + 1
        return index < all.count ? all[index] : nil
    }

    public static func < (lhs: BringUpStage, rhs: BringUpStage) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
