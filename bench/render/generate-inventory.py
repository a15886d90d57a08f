#!/usr/bin/env python3
"""Writes an inventory of N hosts (default 10,000) across 40 racks and all three OS families,
half BIOS and half UEFI, for the render benchmark."""
import sys

count = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
racks = 40
out = sys.stdout
out.write("""site:
  install_server: http://10.64.0.5:8080
  tftp_server: 10.64.0.5
defaults:
  domain: bench.example.net
  firmware: uefi
  root_password_hash: "$6$provisionexample$vCnTTCSwt3plQ4.OMybupCCkWj15nOYaKO41LMwuI2f4UTqckMhRWmDzPy7hJ4NL.q0ZwW/nbRAPfEpgrj768."
  authorized_keys: [ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBRpEpm3gdopOcZrMmE044++qRtiPmQosZmDgqKU1sez ops@example.net]
  os: {family: debian, release: "12", mirror: http://deb.debian.org/debian}
  disk: {devices: [/dev/sda], layout: lvm}
  network: {prefix: 16, dns: [10.64.0.53]}
groups:
  ubuntu: {os: {family: ubuntu, release: "24.04", mirror: http://archive.ubuntu.com/ubuntu}}
  rocky: {os: {family: rocky, release: "9", mirror: http://dl.rockylinux.org/pub/rocky/9/BaseOS/x86_64/os}}
  bios: {firmware: bios}
""")
for r in range(racks):
    out.write(f"  rack-{r:02d}: {{network: {{gateway: 10.{64 + r // 8}.0.1}}}}\n")
out.write("hosts:\n")
for i in range(count):
    rack = i % racks
    groups = [f"rack-{rack:02d}"]
    if i % 3 == 1: groups.append("ubuntu")
    if i % 3 == 2: groups.append("rocky")
    if i % 2: groups.append("bios")
    n = i // racks
    out.write(f"  node-{i:05d}:\n")
    out.write(f"    groups: [{', '.join(groups)}]\n")
    out.write(f"    nics: [{{name: eno1, mac: \"52:54:{(i >> 16) & 255:02x}:{(i >> 8) & 255:02x}:{i & 255:02x}:01\"}}]\n")
    out.write(f"    network: {{address: 10.{64 + rack // 8}.{(rack % 8) * 32 + n // 250}.{n % 250 + 2}}}\n")
