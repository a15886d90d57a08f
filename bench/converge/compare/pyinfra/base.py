# The `base` role of provision (Sources/Playbooks/Roles/BaseRole.swift), resource for resource.
# Host data from the generated inventory: fqdn, admin_key, time_servers, journald_max_use.
from io import StringIO

from pyinfra import host
from pyinfra.operations import files, server, systemd

MANAGED = "# Managed by provision (role base).\n"


def put(path, content, **kwargs):
    files.put(name=f"file {path}", src=StringIO(content), dest=path,
              user="root", group="root", mode="644", **kwargs)


server.user(name="user ops", user="ops", shell="/bin/bash", groups=["adm"], append=False,
            home="/home/ops", public_keys=[host.data.admin_key], delete_keys=True)
put("/etc/motd", f"{host.data.fqdn}: managed by provision (roles: base).\n")
sshd = files.put(name="file /etc/ssh/sshd_config.d/50-provision.conf",
                 src=StringIO(MANAGED + "PermitRootLogin prohibit-password\nPasswordAuthentication no\n"
                              "KbdInteractiveAuthentication no\nX11Forwarding no\n"),
                 dest="/etc/ssh/sshd_config.d/50-provision.conf", user="root", group="root", mode="644")
systemd.service(name="service ssh", service="ssh", running=True, enabled=True)
systemd.service(name="reload ssh", service="ssh", reloaded=True, _if=sshd.did_change)
files.directory(name="directory /etc/systemd/journald.conf.d", path="/etc/systemd/journald.conf.d",
                user="root", group="root", mode="755")
journald = files.put(name="file /etc/systemd/journald.conf.d/50-provision.conf",
                     src=StringIO(MANAGED + f"[Journal]\nSystemMaxUse={host.data.journald_max_use}\nCompress=yes\n"),
                     dest="/etc/systemd/journald.conf.d/50-provision.conf", user="root", group="root", mode="644")
systemd.service(name="restart journald", service="systemd-journald", restarted=True,
                _if=journald.did_change)
files.directory(name="directory /etc/systemd/timesyncd.conf.d", path="/etc/systemd/timesyncd.conf.d",
                user="root", group="root", mode="755")
put("/etc/systemd/timesyncd.conf.d/50-provision.conf",
    MANAGED + "[Time]\nNTP=" + " ".join(host.data.time_servers) + "\n")
put("/etc/sysctl.d/50-provision.conf",
    MANAGED + "kernel.panic = 10\nkernel.sysrq = 176\nnet.ipv4.conf.all.rp_filter = 1\nvm.swappiness = 10\n")
