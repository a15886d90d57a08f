#!/usr/bin/env python3
"""measure.py LABEL NOTE -- COMMAND...: runs COMMAND as a child subreaper, so processes that
daemonize (OpenSSH ControlPersist masters) stay in the measured tree. When COMMAND exits, its
left-over descendants (by pid) get SIGTERM and are reaped, and the line printed has the wall time
of COMMAND, user+sys CPU of every process of the tree, and the peak RSS of its largest process
(what /usr/bin/time -f %M reports)."""
import ctypes, os, resource, signal, subprocess, sys, time

label, note, command = sys.argv[1], sys.argv[2], sys.argv[4:]
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
start = time.monotonic()
result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
code = result.returncode
wall = time.monotonic() - start


def children():
    me, found = os.getpid(), []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2:].split()[1]) == me:
            found.append(int(pid))
    return found


left = children()
for pid in left:
    os.kill(pid, signal.SIGTERM)
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{label}: {wall:.2f} s wall, {usage.ru_utime:.2f} + {usage.ru_stime:.2f} s CPU, "
      f"{usage.ru_maxrss} KiB peak{note} [exit {code}, {len(left)} left-over processes ended]", flush=True)
if code != 0:
    sys.stdout.write(result.stderr.decode(errors="replace")[-2000:])
