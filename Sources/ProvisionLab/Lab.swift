import Foundation
import Provision

/// Real Debian hosts on this machine, for converging and testing against: a debootstrap'ed
/// rootfs built once and cached, an overlayfs per node over it, each node booted with
/// systemd-nspawn and its sshd listening on its own loopback address (127.0.0.10+N, port 22).
/// Nodes share the host's network, so nothing started in them may reach out: only loopback
/// addresses and network namespaces a test makes are ever targets.
///
/// Everything a lab owns lives under its directory (default `.lab/`): the SSH key, the
/// known_hosts file, and `nodes/NAME/` with the overlay, the console log and the nspawn pid.
/// `down` stops only those nodes and unmounts only those overlays.
public struct Lab: Sendable {
    public let directory: String
    public let rootfs: String

    public static let defaultRootfs = (ProcessInfo.processInfo.environment["PROVISION_LAB_ROOTFS"]
        ?? NSHomeDirectory() + "/.cache/provision/lab/rootfs-bookworm")

    public init(directory: String = ".lab", rootfs: String = Lab.defaultRootfs) {
        self.directory = directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
        self.rootfs = rootfs
    }

    public struct Node: Sendable, Equatable {
        public var index: Int
        public var name: String { "lab-\(index)" }
        public var address: String { "127.0.0.\(10 + index)" }
        /// Unique per lab directory, so two checkouts' labs do not collide on machine names.
        public var mac: String { String(format: "52:54:00:1a:%02x:%02x", index >> 8, index & 0xff) }
    }

    /// One package cache (/var/cache/apt/archives) for every node and run, beside the rootfs:
    /// a role installed once downloads nothing the next time. apt takes its lock across the
    /// nodes (same kernel) and refuses while another holds it; provision's apt fixes wait.
    public var packageCache: String { (rootfs as NSString).deletingLastPathComponent + "/apt-archives" }

    public var keyFile: String { "\(directory)/id_ed25519" }
    public var knownHosts: String { "\(directory)/known_hosts" }
    private var nodesDirectory: String { "\(directory)/nodes" }

    /// Node indexes 1 ... 240: addresses 127.0.0.11 ... 127.0.0.250.
    public static let maximumIndex = 240

    // MARK: up

    /// Brings up `count` nodes, first clearing whatever a previous run left (dead nodes, stale
    /// mounts). Returns when every node's sshd answers, or throws naming the ones that did not.
    /// `light` nodes run sshd alone, without systemd (a few MB each, for fleets of a hundred
    /// and more): their own filesystem and sshd, but no services to manage. Nodes are numbered
    /// from `first`, so two labs (in two directories) can run side by side on other addresses.
    public func up(count: Int, first: Int = 1, light: Bool = false, progress: (String) -> Void) throws -> [Node] {
        guard count >= 1, first >= 1, first + count - 1 <= Self.maximumIndex else {
            throw LabError("lab nodes are numbered 1 to \(Self.maximumIndex): \(count) from \(first) do not fit")
        }
        guard getuid() == 0 else { throw LabError("the lab needs root (overlay mounts and systemd-nspawn)") }
        try down(progress: progress)
        try ensureRootfs(progress: progress)
        raiseInotifyLimit(progress: progress)
        try FileManager.default.createDirectory(atPath: nodesDirectory, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: keyFile) {
            try check(Subprocess.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "provision-lab", "-f", keyFile]), "ssh-keygen")
        }
        let publicKey = try String(contentsOfFile: keyFile + ".pub", encoding: .utf8)
        let nodes = (first..<first + count).map { Node(index: $0) }
        // Our own nodes are down now: anyone still answering there is another lab (or a leftover
        // of one in another directory), whose sshd would answer in our nodes' place.
        let taken = nodes.filter { Self.answers($0.address, port: 22) }
        guard taken.isEmpty else {
            throw LabError("\(taken.map { "\($0.address):22" }.joined(separator: ", ")) already answer: another lab is up (stop it with `provision lab down --directory DIR`)")
        }
        var knownHosts = ""
        for node in nodes {
            knownHosts += try prepare(node, authorizedKey: publicKey)
        }
        try AtomicFile.write(knownHosts, to: self.knownHosts, mode: 0o600)
        for node in nodes { try boot(node, light: light) }
        progress("started \(count) node\(count == 1 ? "" : "s"); waiting for their sshd")
        let deadline = Date().addingTimeInterval(120)
        var waiting = nodes
        while !waiting.isEmpty, Date() < deadline {
            waiting.removeAll { Self.answers($0.address, port: 22) }
            if !waiting.isEmpty { usleep(200_000) }
        }
        guard waiting.isEmpty else {
            throw LabError("no sshd answered on \(waiting.map(\.name).joined(separator: ", ")) within 120 s; console logs in \(nodesDirectory)/NAME/console.log")
        }
        for node in nodes { try recordContainerInit(of: node) }
        return nodes
    }

    /// Every node's systemd takes inotify instances; past ~20 nodes the default limit (128)
    /// makes them fail with "Too many open files".
    private func raiseInotifyLimit(progress: (String) -> Void) {
        let path = "/proc/sys/fs/inotify/max_user_instances"
        guard let current = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
              current < 8192 else { return }
        if (try? "8192\n".write(toFile: path, atomically: false, encoding: .utf8)) != nil {
            progress("raised fs.inotify.max_user_instances from \(current) to 8192 for the nodes' systemd")
        }
    }

    /// The cached rootfs, built with debootstrap the first time (about a minute, from Debian's registry).
    private func ensureRootfs(progress: (String) -> Void) throws {
        if FileManager.default.fileExists(atPath: "\(rootfs)/usr/sbin/sshd") { return }
        let building = rootfs + ".building"
        try? DirectoryTree.remove(building)
        try FileManager.default.createDirectory(atPath: (rootfs as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        progress("building the lab rootfs in \(rootfs) with debootstrap (once, about a minute)")
        try check(Subprocess.run("debootstrap", ["--variant=minbase", "--include=openssh-server,systemd,systemd-sysv,dbus,iproute2",
                                                 "bookworm", building, "http://deb.debian.org/debian"]), "debootstrap")
        // Host keys are made per node; the rootfs must not carry shared ones.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "\(building)/etc/ssh")) ?? [] where name.hasPrefix("ssh_host_") {
            try FileManager.default.removeItem(atPath: "\(building)/etc/ssh/\(name)")
        }
        guard rename(building, rootfs) == 0 else { throw FileError.system("cannot move \(building) to \(rootfs)", errno) }
    }

    /// Mounts the node's overlay and writes its identity; returns its known_hosts line.
    private func prepare(_ node: Node, authorizedKey: String) throws -> String {
        let base = "\(nodesDirectory)/\(node.name)", root = "\(base)/root"
        for directory in ["upper", "work", "root"] {
            try FileManager.default.createDirectory(atPath: "\(base)/\(directory)", withIntermediateDirectories: true)
        }
        try check(Subprocess.run("mount", ["-t", "overlay", "overlay", "-o", "lowerdir=\(rootfs),upperdir=\(base)/upper,workdir=\(base)/work", root]),
                  "mounting \(node.name)'s overlay")
        try FileManager.default.createDirectory(atPath: "\(root)/etc/ssh/sshd_config.d", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(root)/root/.ssh", withIntermediateDirectories: true)
        try "# provision lab: this node's own loopback address\nListenAddress \(node.address)\nPermitRootLogin prohibit-password\nUseDNS no\n"
            .write(toFile: "\(root)/etc/ssh/sshd_config.d/provision-lab.conf", atomically: true, encoding: .utf8)
        // An ECDSA key beside the ed25519 one, as on a stock Debian host: libssh2 prefers ECDSA
        // unless told which types known_hosts has (KnownHosts.keyTypes), and the lab shows it.
        for type in ["ed25519", "ecdsa"] {
            try check(Subprocess.run("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", node.name, "-f", "\(root)/etc/ssh/ssh_host_\(type)_key"]), "ssh-keygen")
        }
        try AtomicFile.write(authorizedKey, to: "\(root)/root/.ssh/authorized_keys", mode: 0o600)
        try "\(node.name)\n".write(toFile: "\(root)/etc/hostname", atomically: true, encoding: .utf8)
        try "127.0.0.1 localhost\n\(node.address) \(node.name)\n".write(toFile: "\(root)/etc/hosts", atomically: true, encoding: .utf8)
        let hostKey = try String(contentsOfFile: "\(root)/etc/ssh/ssh_host_ed25519_key.pub", encoding: .utf8).split(separator: " ")
        return "\(node.address) \(hostKey[0]) \(hostKey[1])\n"
    }

    private func boot(_ node: Node, light: Bool) throws {
        let base = "\(nodesDirectory)/\(node.name)"
        // --register=no --keep-unit: needed where PID 1 is not systemd (containers, CI).
        try FileManager.default.createDirectory(atPath: "\(packageCache)/partial", withIntermediateDirectories: true)
        var arguments = ["-D", "\(base)/root", "--machine=\(machineName(node))", "--register=no", "--keep-unit", "--console=read-only",
                         "--bind=\(packageCache):/var/cache/apt/archives"]
        arguments += light ? ["--as-pid2", "/bin/sh", "-c", "mkdir -p /run/sshd && exec /usr/sbin/sshd -D -e"] : ["--boot"]
        let pid = try Subprocess.start("systemd-nspawn", arguments, logFile: "\(base)/console.log", newSession: true)
        try "\(pid)\n".write(toFile: "\(base)/pid", atomically: true, encoding: .utf8)
    }

    private func machineName(_ node: Node) -> String { "provision-\(node.name)" }

    // MARK: down and status

    public struct NodeStatus: Sendable {
        public var node: Node
        public var running: Bool
        public var sshAnswers: Bool
    }

    /// The nodes this lab directory holds, running or not.
    public func nodes() -> [Node] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: nodesDirectory)) ?? []
        return names.compactMap { name in
            guard name.hasPrefix("lab-"), let index = Int(name.dropFirst(4)) else { return nil }
            return Node(index: index)
        }.sorted { $0.index < $1.index }
    }

    public func status() -> [NodeStatus] {
        nodes().map { node in
            NodeStatus(node: node, running: pid(of: node).map { kill($0, 0) == 0 } ?? false, sshAnswers: Self.answers(node.address, port: 22))
        }
    }

    /// Stops this lab's nodes (their nspawn processes, then anything left in them), unmounts
    /// their overlays and removes their directories. Safe to run on leftovers of a dead run.
    public func down(progress: (String) -> Void) throws {
        let nodes = nodes()
        guard !nodes.isEmpty else { return }
        for node in nodes {
            if let pid = pid(of: node), kill(pid, 0) == 0 {
                kill(pid, SIGTERM)  // nspawn asks the node's systemd to power off
            }
        }
        // Nodes get 15 s in all to power off cleanly; then nspawn and the node are killed (a lab
        // node holds nothing worth a longer wait).
        let deadline = Date().addingTimeInterval(15)
        for node in nodes {
            guard let pid = pid(of: node) else { continue }
            while Date() < deadline {
                if waitpid(pid, nil, WNOHANG) == pid { break }  // our own child, now reaped
                if kill(pid, 0) != 0 { break }                  // gone
                usleep(100_000)
            }
            if kill(pid, 0) == 0 {
                kill(pid, SIGKILL)
                _ = waitpid(pid, nil, 0)
            }
        }
        // A node whose nspawn died (SIGKILL, a crash) leaves its processes running, sshd
        // included. Killing the node's init ends its whole PID namespace.
        for node in nodes {
            if let initPid = containerInit(of: node) { kill(initPid, SIGKILL) }
        }
        // The kernel tears a namespace down asynchronously: wait until no node's sshd answers.
        for _ in 0..<100 where nodes.contains(where: { Self.answers($0.address, port: 22) }) { usleep(100_000) }
        func mounted(_ root: String) -> Bool {
            ((try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? "").contains(" \(root) ")
        }
        for node in nodes {
            let root = "\(nodesDirectory)/\(node.name)/root"
            // A namespace that is still being torn down keeps the mount busy for a moment.
            for _ in 0..<50 where mounted(root) {
                if try Subprocess.run("umount", [root]).status != 0 { usleep(200_000) }
            }
            if mounted(root) { _ = try Subprocess.run("umount", ["--lazy", root]) }
            // Never remove through a mounted overlay: that would delete inside the node.
            guard !mounted(root) else { throw LabError("\(root) is still mounted; run `provision lab down` again") }
            try DirectoryTree.remove("\(nodesDirectory)/\(node.name)")
        }
        progress("stopped \(nodes.count) lab node\(nodes.count == 1 ? "" : "s") and removed their overlays")
    }

    /// Records the node's init (nspawn's child) and its PID namespace, so that `down` can end
    /// the node even when nspawn itself is gone.
    private func recordContainerInit(of node: Node) throws {
        guard let nspawn = pid(of: node) else { return }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let child = pid_t(entry), let status = try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8),
                  status.split(separator: "\n").contains("PPid:\t\(nspawn)"),
                  let namespace = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/ns/pid") else { continue }
            try "\(child) \(namespace)\n".write(toFile: "\(nodesDirectory)/\(node.name)/init", atomically: true, encoding: .utf8)
            return
        }
    }

    /// The node's init, if the recorded pid still is that process (same PID namespace).
    private func containerInit(of node: Node) -> pid_t? {
        guard let text = try? String(contentsOfFile: "\(nodesDirectory)/\(node.name)/init", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard fields.count == 2, let pid = pid_t(fields[0]),
              (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/pid")) == fields[1] else { return nil }
        return pid
    }

    /// The process that is `pid` inside `node`, as this machine numbers it: found by the node's
    /// PID namespace, so a test signals that one process and never a namesake in another node
    /// or on the machine itself.
    public func machinePID(of pid: pid_t, in node: Node) -> pid_t? {
        guard let initPid = containerInit(of: node),
              let namespace = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(initPid)/ns/pid") else { return nil }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            // NSpid lists the process's number in each PID namespace it is in, the innermost last.
            guard let candidate = pid_t(entry),
                  (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/ns/pid")) == namespace,
                  let status = try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("NSpid:") }),
                  line.split(whereSeparator: \.isWhitespace).last == Substring(String(pid)) else { continue }
            return candidate
        }
        return nil
    }

    /// The node's nspawn process, if the recorded pid still is one for this node's root (after
    /// a reboot the number may belong to anything else, which must not be signalled).
    /// Without a pid file (removed by hand) every process is looked at.
    private func pid(of node: Node) -> pid_t? {
        func isNodeNspawn(_ pid: pid_t) -> Bool {
            guard let commandLine = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let arguments = commandLine.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return arguments.first?.hasSuffix("systemd-nspawn") == true && arguments.contains("\(nodesDirectory)/\(node.name)/root")
        }
        if let text = try? String(contentsOfFile: "\(nodesDirectory)/\(node.name)/pid", encoding: .utf8),
           let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            return isNodeNspawn(pid) ? pid : nil
        }
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }.first(where: isNodeNspawn)
    }

    static func answers(_ address: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = in_port_t(UInt16(port).bigEndian)
        target.sin_addr.s_addr = inet_addr(address)
        return withUnsafePointer(to: &target) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    // MARK: inventory

    /// An inventory of the lab's nodes: valid for every command (install settings are filled
    /// with harmless values; nodes are never netbooted), with SSH through the lab's key.
    public func inventory(_ nodes: [Node], light: Bool = false) -> String {
        // The lab's own key also makes an admin user, so the base role has one to manage.
        let publicKey = ((try? String(contentsOfFile: keyFile + ".pub", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let admins = publicKey.isEmpty ? "" : ", admins: {ops: [\"\(publicKey)\"]}"
        var text = """
            # Generated by `provision lab up`: the lab's nodes, reachable over SSH on loopback.
            site:
              install_server: http://127.0.0.1:18080
              # The nodes are never netbooted: a test plays their installer, from 127.0.0.1.
              install_relays: [{network: 127.0.0.0/8, from: 127.0.0.1}]
            defaults:
              domain: lab.provision.test
              firmware: bios
              root_password_hash: "$6$provisionlab$mMyH5J1o2ibSqLnmmfeRB9jZhx5uzIUhW6TmAsIBtlQLeFmTU4yfiP5qUpHju3/xPVjWktNOwoy.qbsW00Hqa/"
              os: {family: debian, release: "12", mirror: http://deb.debian.org/debian}
              disk: {devices: [/dev/vda], layout: plain}
              network: {prefix: 8}
              roles: \(light ? "[]  # light nodes run sshd alone, no systemd: give them roles that manage files, packages, users" : "[base]")
              vars: {time_servers: [127.0.0.1], virt_type: qemu\(admins)}
              ssh: {user: root, port: 22, key: \(keyFile), known_hosts: \(knownHosts)}
            hosts:

            """
        for node in nodes {
            text += "  \(node.name):\n    nics: [{name: host0, mac: \"\(node.mac)\"}]\n    network: {address: \(node.address)}\n"
        }
        return text
    }

    private func check(_ result: Subprocess.Output, _ what: String) throws {
        guard result.status == 0 else { throw LabError("\(what) failed (exit \(result.status)): \(result.output.suffix(2000))") }
    }
}

public struct LabError: Error, CustomStringConvertible, Sendable {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
