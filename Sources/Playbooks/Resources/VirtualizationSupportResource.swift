import Provision

/// A requirement rather than a state to reach: the CPU offers hardware virtualisation (vmx or
/// svm) and /dev/kvm exists. Nothing on the host can fix its absence, so the "fix" fails with
/// the reason, stopping the host's apply before anything is installed; check reports it.
public struct VirtualizationSupportResource: Resource {
    public init() {}

    public var kind: String { "requirement" }
    public var name: String { "kvm" }

    public var probe: Probe {
        .script("""
            if grep -Eq '(vmx|svm)' /proc/cpuinfo; then printf 'cpu yes '; else printf 'cpu no '; fi
            if [ -c /dev/kvm ]; then echo 'kvm yes'; else echo 'kvm no'; fi
            """)
    }

    static let advice = "set the host's var virt_type: qemu to run guests emulated (slow), or enable VT-x/AMD-V in its firmware"

    public func compare(probed: String) -> Comparison {
        switch probed {
        case "cpu yes kvm yes": .inSync
        case "cpu no kvm no", "cpu no kvm yes": .change("the CPU offers no hardware virtualisation (no vmx/svm flag): \(Self.advice)")
        case "cpu yes kvm no": .change("/dev/kvm is missing (the kvm module is not loaded, or virtualisation is off in the firmware): \(Self.advice)")
        default: .unknown("unexpected probe output: '\(probed.prefix(120))'")
        }
    }

    public var fix: String {
        "echo \(Shell.quote("this host cannot run KVM guests: \(Self.advice)")) >&2; exit 1"
    }
}
