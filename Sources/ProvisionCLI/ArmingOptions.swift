import ArgumentParser
import Foundation
import Provision

/// What arming hosts for a reinstall asks before anything is touched, for `install` and `up`
/// alike: protected hosts need --force-protected, and more hosts than the site's confirm_above
/// a confirmation typed back (or --yes; without a terminal it refuses).
struct ArmingOptions: ParsableArguments {
    @Flag(help: "Arm hosts marked protected in the inventory.")
    var forceProtected = false

    @Flag(name: [.short, .long], help: "Do not ask for confirmation.")
    var yes = false

    /// Throws (exit 64) unless the operator may, and did, agree to reinstall these hosts.
    func allowReinstall(of hosts: [Provision.Host], confirmAbove: Int) throws {
        let protected = hosts.filter(\.isProtected)
        if !protected.isEmpty, !forceProtected {
            throw Failure.refused("refusing to arm protected host\(protected.count == 1 ? "" : "s") \(protected.map(\.name).joined(separator: ", ")) (protected: true in the inventory); reinstalling wipes them. Pass --force-protected if that is what you want.")
        }
        if hosts.count > confirmAbove, !yes {
            try Confirmation.require(
                "About to arm \(hosts.count) hosts for reinstall (wiping their disks on next network boot): \(hosts.map(\.name).joined(separator: ", "))",
                typing: String(hosts.count))
        }
    }
}
