import Provision

/// A file whose change could cut the host off (its network configuration), applied the way
/// `netplan try` does: the old file is kept, a guard on the host restores it and applies it
/// again after `seconds` unless the change is confirmed, and the engine confirms only over a
/// fresh SSH connection made after the change. A change that cuts the host off is thereby
/// undone by the host itself, and reported as such.
public struct GuardedFileResource: FileBackedResource {
    public var file: FileResource
    /// Makes the file's content take effect (e.g. `ifreload -a`); run after the change and
    /// again after a rollback.
    public var apply: String
    public var seconds: Int
    /// Where the guard keeps its marker (gone at reboot: a rebooted host has no guard left)
    /// and the previous file.
    public var runDirectory: String
    public var stateDirectory: String

    public init(_ file: FileResource, apply: String, seconds: Int = 60, runDirectory: String = "/run", stateDirectory: String = "/var/lib/provision") {
        self.file = file
        self.apply = apply
        self.seconds = seconds
        self.runDirectory = runDirectory
        self.stateDirectory = stateDirectory
    }

    public var kind: String { "guarded-file" }

    /// Names the guard's files after the target, so two guarded files never share them.
    var id: String { String(sha256Hex(file.path).prefix(16)) }
    var pending: String { Shell.quote("\(runDirectory)/provision-guard-\(id)") }
    var saved: String { Shell.quote("\(stateDirectory)/guard-\(id).previous") }

    public var fix: String {
        let target = Shell.quote(file.path)
        let rollback = """
            sleep \(seconds)
            [ -e \(pending) ] || exit 0
            if [ -e \(saved) ]; then mv -f \(saved) \(target); else rm -f \(target); fi
            \(apply)
            rm -f \(pending)
            logger -t provision "rolled back \(file.path): the change was not confirmed within \(seconds) s" 2>/dev/null || true
            """
        return """
            mkdir -p \(Shell.quote(stateDirectory))
            if [ -e \(target) ]; then cp -p \(target) \(saved); else rm -f \(saved); fi
            \(file.write(from: "cat"))
            date +%s > \(pending)
            setsid -f sh -c \(Shell.quote(rollback)) </dev/null >/dev/null 2>&1
            \(apply)
            """
    }

    /// Run over a fresh connection after the fix: ends the guard (0), or fails when the host
    /// already rolled the change back.
    public var confirmation: String? {
        "rm \(pending) 2>/dev/null || { echo 'the host had already rolled the change back' >&2; exit 1; }\nrm -f \(saved)"
    }

    public var confirmationWindow: Int { seconds }
}
