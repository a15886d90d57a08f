/// apt refuses at once, instead of waiting, when another apt holds one of its locks: the
/// nightly apt-daily download or unattended-upgrades on a real host, a neighbour's apt in a lab
/// whose nodes share one package cache. Fix scripts that run apt wait for the lock instead, as
/// an operator would: `AptLocks.function` defines `apt_waiting`, which runs its arguments again
/// every 2 s, for up to 5 minutes, while apt's only complaint is a lock it could not get.
enum AptLocks {
    static let function = """
        apt_waiting() {
          tries=150
          while :; do
            output=$(LC_ALL=C "$@" 2>&1) && { printf '%s\\n' "$output"; return 0; }
            status=$?
            case $output in *'Could not get lock'*) tries=$((tries - 1)); if [ $tries -gt 0 ]; then sleep 2; continue; fi ;; esac
            printf '%s\\n' "$output" >&2
            return $status
          done
        }
        """
}
