/// Runs from two controllers never interleave on one host. `apply` holds an exclusive `flock`
/// on /run/provision.lock while it changes a host, through a script its connector keeps running
/// (`Connector.hold`; the lock goes when the run releases it, or its connection ends, and the
/// script's stdin with it); `check`, `plan` and the first look of `apply` (which is all of a
/// no-op apply) take it shared inside their one probe exec. An
/// apply writes who it is beside the lock, so a busy host says who has it, and a holder that
/// died without cleaning up is reported.
public enum HostLock {
    static let lock = "/run/provision.lock"
    static let holder = "/run/provision.lock.holder"
    static let lockedMarker = "@@provision-locked"
    static let staleMarker = "@@provision-stale"
    static let heldMarker = "@@provision-lock-held"

    /// Holds the lock exclusively until stdin ends; prints `lockedMarker WHO` and exits 75 when
    /// another run has it, `staleMarker WHO` first when a dead run's record is still there.
    static func exclusive(holderText: String) -> String {
        """
        exec 9>>\(lock)
        if ! flock -n -x 9; then printf '\(lockedMarker) %s\\n' "$(cat \(holder) 2>/dev/null | grep . || echo 'a check or plan reading the host')"; exit 75; fi
        if [ -s \(holder) ]; then printf '\(staleMarker) %s\\n' "$(cat \(holder))"; fi
        printf '%s\\n' \(Shell.quote(holderText)) > \(holder)
        echo \(heldMarker)
        cat > /dev/null
        : > \(holder)
        """
    }

    /// The first lines of a probe script: a shared lock, or `lockedMarker WHO` and exit 75.
    static let sharedPreamble = """
        exec 9>>\(lock)
        if ! flock -n -s 9; then printf '\\n\(lockedMarker) %s\\n' "$(cat \(holder) 2>/dev/null | grep . || echo unknown)"; exit 75; fi

        """

    /// After the shared preamble: `staleMarker WHO` when a run that held the lock exclusively
    /// died without clearing its record (a live one would hold the lock, and the preamble
    /// would have stopped at it).
    static let staleNotice = """
        if [ -s \(holder) ]; then printf '\\n\(staleMarker) %s\\n' "$(cat \(holder))"; fi

        """

    /// What follows `marker` on the first line that starts with it (who holds the lock, or
    /// whose record a dead run left); nil when no line does.
    static func value(after marker: String, in lines: some Sequence<some StringProtocol>) -> String? {
        lines.first { $0.hasPrefix(marker + " ") }.map { String($0.dropFirst(marker.count + 1)) }
    }
}
