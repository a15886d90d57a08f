# The `base` role of provision (Sources/Playbooks/Roles/BaseRole.swift, as on the lab's container nodes) and the
# bench30 role (bench/converge/roles/bench30.yml), resource for resource: 30 resources.
# Host data from the generated inventory: fqdn, admin_key, time_servers, journald_max_use.
from io import StringIO

from pyinfra import host
from pyinfra.facts.files import File
from pyinfra.operations import apt, files, server, systemd

MANAGED = "# Managed by provision (role base).\n"


def put(path, content, **kwargs):
    files.put(name=f"file {path}", src=StringIO(content), dest=path,
              user="root", group="root", mode="644", **kwargs)


server.user(name="user ops", user="ops", shell="/bin/bash", groups=["adm"], append=False,
            home="/home/ops", public_keys=[host.data.admin_key], delete_keys=True)
put("/etc/motd", f"{host.data.fqdn}: managed by provision (roles: base, bench30).\n")
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
apt.packages(name="package systemd-timesyncd", packages=["systemd-timesyncd"], no_recommends=True)
files.directory(name="directory /etc/systemd/timesyncd.conf.d", path="/etc/systemd/timesyncd.conf.d",
                user="root", group="root", mode="755")
put("/etc/systemd/timesyncd.conf.d/50-provision.conf",
    MANAGED + "[Time]\nNTP=" + " ".join(host.data.time_servers) + "\nFallbackNTP=\n")
# In a container, as provision's base: enabled, not started; the sysctl files only.
systemd.service(name="service systemd-timesyncd", service="systemd-timesyncd", running=False, enabled=True)
for key, value in [("kernel.panic", "10"), ("kernel.sysrq", "176"), ("net.ipv4.conf.all.rp_filter", "1"), ("vm.swappiness", "10")]:
    put(f"/etc/sysctl.d/60-provision-{key}.conf", f"# Managed by provision.\n{key} = {value}\n")

# bench/converge/roles/bench30.yml
BENCH = "# Managed by provision (role bench30).\n"
files.directory(name="directory /etc/provision-bench", path="/etc/provision-bench", user="root", group="root", mode="755")
for name, line in [("limits.conf", "nofile 65536"), ("cpu.conf", "governor performance"), ("hugepages.conf", "pages 1024"),
                   ("libvirt.conf", "listen_tls 0"), ("nova.conf", "virt_type qemu")]:
    put(f"/etc/provision-bench/{name}", BENCH + line + "\n")
files.put(name="file /etc/provision-bench/ovs.conf", src=StringIO(BENCH + "bridge br-ex\n"), dest="/etc/provision-bench/ovs.conf",
          user="root", group="root", mode="600")
files.directory(name="directory /var/lib/provision-bench", path="/var/lib/provision-bench", user="root", group="root", mode="755")
files.directory(name="directory /var/log/provision-bench", path="/var/log/provision-bench", user="root", group="root", mode="750")
apt.packages(name="packages", packages=["openssh-server", "systemd"], no_recommends=True)
files.line(name="line ClientAliveInterval", path="/etc/ssh/sshd_config", line="^#?ClientAliveInterval", replace="ClientAliveInterval 300")
files.line(name="line MaxAuthTries", path="/etc/ssh/sshd_config", line="^#?MaxAuthTries", replace="MaxAuthTries 4")
server.group(name="group bench", group="bench", gid=2701)
if not host.get_fact(File, path="/var/lib/provision-bench/initialized"):
    server.shell(name="command initialize", commands=["touch /var/lib/provision-bench/initialized"])
systemd.service(name="service systemd-journald", service="systemd-journald", running=True, enabled=True)
