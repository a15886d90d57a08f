import ArgumentParser
import UseCases

/// What arming hosts for a reinstall asks, for `install` and `up` alike (`ReinstallGuard`).
struct ArmingOptions: ParsableArguments {
    @Flag(help: "Arm hosts marked protected in the inventory.")
    var forceProtected = false

    @Flag(name: [.short, .long], help: "Do not ask for confirmation.")
    var yes = false

    var reinstallGuard: ReinstallGuard { ReinstallGuard(forceProtected: forceProtected, confirmed: yes) }
}
