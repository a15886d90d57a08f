import Foundation
import Logging

/// `provision up`: takes hosts from bare metal to converged, each through the stages of
/// `BringUpStage` (arm, PXE once and a power cycle through the BMC, the installer's callback,
/// a verified SSH login, the apply of its roles), every stage bounded by its timeout and
/// recorded in the install state as it starts and ends. A host's failure stops that host only.
/// A later run resumes each host where its record says (`resumePoint`); the install callback
/// itself is taken by the install server, in this process or another one sharing the state file.
public struct BringUp: Sendable {
    public struct Options: Sendable {
        /// From the power cycle's request to the installer's callback.
        public var installTimeout: Duration
        /// From the callback to a verified SSH login (the host reboots and starts sshd).
        public var sshTimeout: Duration
        /// How often the state file is read for the callback, and SSH tried again.
        public var pollInterval: Duration
        /// Install hosts again that an earlier `up` brought up.
        public var reinstall: Bool
        /// Hosts per batch (all at once when nil): bounds how many install at once.
        public var batch: Engine.Share?
        /// Stop starting new batches once more than this share of the hosts so far failed.
        public var maxFail: Engine.Share?
        public var redfish: RedfishClient.Options
        /// How the converge stage applies (mode `apply`); its interruption also stops the waits.
        public var converge: Engine.Options

        public init(installTimeout: Duration = .seconds(3600), sshTimeout: Duration = .seconds(600), pollInterval: Duration = .seconds(2),
                    reinstall: Bool = false, batch: Engine.Share? = nil, maxFail: Engine.Share? = nil,
                    redfish: RedfishClient.Options = RedfishClient.Options(), converge: Engine.Options) {
            self.installTimeout = installTimeout
            self.sshTimeout = sshTimeout
            self.pollInterval = pollInterval
            self.reinstall = reinstall
            self.batch = batch
            self.maxFail = maxFail
            self.redfish = redfish
            self.converge = converge
        }
    }

    /// What became of one host.
    public struct Outcome: Sendable, Equatable {
        public var host: String
        /// `ready` when brought up; else the stage that failed or was not finished.
        public var stage: BringUpStage
        /// Why the host is not ready; nil when it is.
        public var failure: String?
        /// The failure was its BMC or its SSH server not answering or refusing us (exit 4, not 1).
        public var unreachable = false
        /// The host was ready from an earlier run: nothing was done.
        public var alreadyReady = false

        public init(host: String, stage: BringUpStage, failure: String? = nil, unreachable: Bool = false, alreadyReady: Bool = false) {
            self.host = host
            self.stage = stage
            self.failure = failure
            self.unreachable = unreachable
            self.alreadyReady = alreadyReady
        }
    }

    public let lifecycle: InstallLifecycle
    public let options: Options
    /// For the BMC's requests (retries are logged as warnings).
    public let logger: Logger

    public init(lifecycle: InstallLifecycle, options: Options, logger: Logger = Logger(label: "provision.up")) {
        self.lifecycle = lifecycle
        self.options = options
        self.logger = logger
    }

    /// Brings every target up, in rolling batches when asked; `progress` gets one line per host
    /// and stage change. Blocks (BMC and SSH calls): call it from a thread of its own.
    public func run(_ targets: [Engine.Target], progress: @escaping @Sendable (String) -> Void) -> [Outcome] {
        RollingBatches.run(targets, batch: options.batch, maxFail: options.maxFail, concurrency: targets.count,
                           work: { HostBringUp(target: $0, bringUp: self, progress: progress).run() },
                           failed: { $0.failure != nil },
                           notStarted: { target, reason in Outcome(host: target.host.name, stage: .arm, failure: reason) })
    }

    /// Where a host's bring-up starts from its record: `ready` (nothing to do) once an earlier
    /// run brought it up; `ssh` once its installer reported success (whatever came after);
    /// while it is armed, the stage an earlier run was in (or the next one, when it ended
    /// there); else, and always with `reinstall`, `arm`: a new install.
    public static func resumePoint(_ record: InstallRecord, reinstall: Bool) -> BringUpStage {
        if reinstall { return .arm }
        if record.phase == .ready, record.stage == .ready, record.stageOutcome == .done { return .ready }
        if record.phase == .installed { return .ssh }
        guard record.bootsInstaller, let stage = record.stage, stage <= .install else { return .arm }
        switch record.stageOutcome {
        case .running?: return stage
        case .done?: return stage.next ?? .arm
        case .failed?, nil: return .arm
        }
    }
}
