import Foundation
import Provision

/// What arming hosts for a reinstall asks before anything is touched, on every path that arms
/// (`install`, `up`; an API later): protected hosts need `forceProtected`, and more hosts than
/// the site's `confirm_above` need the count typed back at a terminal, or `confirmed` (--yes).
/// Without a terminal there is nobody to ask, so the operation is refused.
public struct ReinstallGuard: Sendable {
    public var forceProtected: Bool
    public var confirmed: Bool

    public init(forceProtected: Bool, confirmed: Bool) {
        self.forceProtected = forceProtected
        self.confirmed = confirmed
    }

    /// Throws (a refusal, exit 64) unless the operator may, and did, agree to reinstall these.
    public func allow(_ hosts: [Provision.Host], confirmAbove: Int, context: ProvisionContext) throws(UseCaseFailure) {
        let protected = hosts.filter(\.isProtected)
        if !protected.isEmpty, !forceProtected {
            throw .refused("refusing to arm protected host\(protected.count == 1 ? "" : "s") \(protected.map(\.name).joined(separator: ", ")) (protected: true in the inventory); reinstalling wipes them. Pass --force-protected if that is what you want.")
        }
        guard hosts.count > confirmAbove, !confirmed else { return }
        let summary = "About to arm \(hosts.count) hosts for reinstall (wiping their disks on next network boot): \(hosts.map(\.name).joined(separator: ", "))"
        let word = String(hosts.count)
        guard context.terminal.input else {
            throw .refused("\(summary)\nrefusing without confirmation: no terminal to ask on; pass --yes")
        }
        context.errors.write("\(summary)\nType \(word) to continue: ")
        guard context.readLine()?.trimmingCharacters(in: .whitespaces) == word else {
            throw .refused("not confirmed; nothing changed")
        }
    }
}
