import Foundation

/// Where a host is in its install lifecycle.
public enum InstallPhase: String, Sendable, Codable, CaseIterable {
    /// Not armed: boots its local disk (never installed by provision, or brought up by `up`).
    case ready
    /// Armed: its next network boot starts the installer.
    case armed
    /// The installer fetched the host's install file.
    case installing
    /// The installer reported success with the host's token; the host is disarmed.
    case installed
    /// The installer reported failure with the host's token; the host is disarmed.
    case failed
}

/// One host's install state as recorded in the state file.
public struct InstallRecord: Sendable, Equatable, Codable {
    public var host: String
    public var phase: InstallPhase
    public var armedAt: Date?
    public var fetchedAt: Date?
    public var finishedAt: Date?
    public var updatedAt: Date?
    /// Where `provision up` has this host, how that stage went, why it failed, and since when.
    public var stage: BringUpStage?
    public var stageOutcome: BringUpStage.Outcome?
    public var stageDetail: String?
    public var stageAt: Date?
    /// The SSH host key (`TYPE BASE64`) the installer reported with its callback.
    public var hostKey: String?
    /// The address that fetched the install file: the host's callback must come from there.
    public var fetchedFrom: String?
    /// Why the installer reported failure (its `reason=`, cleaned), when it said.
    public var failureReason: String?

    public init(host: String, phase: InstallPhase, armedAt: Date? = nil, fetchedAt: Date? = nil, finishedAt: Date? = nil, updatedAt: Date? = nil,
                stage: BringUpStage? = nil, stageOutcome: BringUpStage.Outcome? = nil, stageDetail: String? = nil, stageAt: Date? = nil,
                hostKey: String? = nil, fetchedFrom: String? = nil, failureReason: String? = nil) {
        self.host = host
        self.phase = phase
        self.armedAt = armedAt
        self.fetchedAt = fetchedAt
        self.finishedAt = finishedAt
        self.updatedAt = updatedAt
        self.stage = stage
        self.stageOutcome = stageOutcome
        self.stageDetail = stageDetail
        self.stageAt = stageAt
        self.hostKey = hostKey
        self.fetchedFrom = fetchedFrom
        self.failureReason = failureReason
    }

    /// Armed hosts boot the installer until they report back.
    public var bootsInstaller: Bool { phase == .armed || phase == .installing }
}
