import Foundation
import Testing
@testable import Provision

/// Where `provision up` resumes a host from its record, its exit codes, and the host keys it takes.
@Suite("Bring-up resume and host keys", .tags(.small))
struct BringUpTests {
    struct ResumeCase: Sendable, CustomTestStringConvertible {
        var phase: InstallPhase
        var stage: BringUpStage?
        var outcome: BringUpStage.Outcome?
        var reinstall = false
        var expected: BringUpStage
        var testDescription: String { "\(phase.rawValue), \(stage?.rawValue ?? "no stage") \(outcome?.rawValue ?? "")\(reinstall ? ", --reinstall" : "") → \(expected.rawValue)" }
    }

    @Test("resume point", arguments: [
        ResumeCase(phase: .ready, stage: nil, outcome: nil, expected: .arm),
        ResumeCase(phase: .ready, stage: .ready, outcome: .done, expected: .ready),
        ResumeCase(phase: .ready, stage: .ready, outcome: .done, reinstall: true, expected: .arm),
        ResumeCase(phase: .installed, stage: nil, outcome: nil, expected: .ssh),
        ResumeCase(phase: .installed, stage: .converge, outcome: .failed, expected: .ssh),
        ResumeCase(phase: .installed, stage: .ssh, outcome: .running, expected: .ssh),
        ResumeCase(phase: .installing, stage: .install, outcome: .running, expected: .install),
        ResumeCase(phase: .armed, stage: .powerCycle, outcome: .done, expected: .install),
        ResumeCase(phase: .armed, stage: .pxeOnce, outcome: .running, expected: .pxeOnce),
        ResumeCase(phase: .installing, stage: .install, outcome: .failed, expected: .arm),
        ResumeCase(phase: .armed, stage: nil, outcome: nil, expected: .arm),
        ResumeCase(phase: .failed, stage: .install, outcome: .failed, expected: .arm),
    ])
    func resumePoint(_ resume: ResumeCase) {
        let record = InstallRecord(host: "h", phase: resume.phase, stage: resume.stage, stageOutcome: resume.outcome)
        #expect(BringUp.resumePoint(record, reinstall: resume.reinstall) == resume.expected)
    }

    @Test("exit code: 0 all ready, 1 a stage failed, 4 unreachable, 5 both")
    func exitCodes() {
        let ready = BringUp.Outcome(host: "a", stage: .ready)
        let failed = BringUp.Outcome(host: "b", stage: .install, failure: "no callback")
        let unreachable = BringUp.Outcome(host: "c", stage: .ssh, failure: "no answer", unreachable: true)
        #expect(ExitStatus.of([ready, ready]).code == 0)
        #expect(ExitStatus.of([ready, failed]).code == 1)
        #expect(ExitStatus.of([unreachable]).code == 4)
        #expect(ExitStatus.of([failed, unreachable, ready]).code == 5)
    }

    @Test("host keys: a well-formed line is taken (comment dropped), with its fingerprint; malformed ones are refused with the reason")
    func hostKeys() throws {
        // A made-up ed25519 blob: the type as an SSH string, then 32 bytes of key.
        let blob = Data([0, 0, 0, 11] + Array("ssh-ed25519".utf8) + [0, 0, 0, 32] + Array(repeating: UInt8(7), count: 32))
        let line = "ssh-ed25519 \(blob.base64EncodedString()) root@kvm-a01\n"
        let key = try SSHHostKey(line: line)
        #expect(key.type == "ssh-ed25519")
        #expect(key.knownHostsKey == "ssh-ed25519 \(blob.base64EncodedString())")
        #expect(key.fingerprint.hasPrefix("SHA256:") && !key.fingerprint.hasSuffix("="))
        let malformed: [(String, String)] = [
            ("", "expected 'TYPE BASE64 [COMMENT]'"),
            ("ssh-dss AAAA", "unknown key type 'ssh-dss'"),
            ("ssh-ed25519 not*base64", "the key is not base64"),
            ("ecdsa-sha2-nistp256 \(blob.base64EncodedString())", "does not name its type ecdsa-sha2-nistp256"),
        ]
        for (text, reason) in malformed {
            let error = #expect(throws: SSHHostKey.Malformed.self) { try SSHHostKey(line: text) }
            #expect(error?.description.contains(reason) == true, "\(text): \(String(describing: error))")
        }
    }
}
