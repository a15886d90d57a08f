import Provision

/// `hypervisor`: a KVM host of the private cloud. Hardware virtualisation checked (unless
/// `virt_type: qemu`), QEMU and libvirt installed for the OS family, nested virtualisation for
/// the CPU's vendor, libvirtd running, nova-compute installed, configured from
/// templates/roles/nova.conf.mustache (rendered on the controller; secrets only from secret
/// vars) and running.
///
/// Vars: `virt_type` (`kvm`, default, or `qemu`: emulation, for hosts without VT-x/AMD-V such as
/// the lab's), `nova_transport_url` (secret: the message queue, with its password),
/// `keystone_url`, `nova_password` (secret), `nova_user` (default `nova`), `region` (default
/// `RegionOne`), `my_ip` (default the host's address).
///
/// In a container (the lab's nodes, which share the controller's network; the probe reads it),
/// nova-compute runs with `PrivateNetwork=yes` (a systemd drop-in), so it reaches nothing
/// outside its node whatever its configuration says, and a cloud bridge is refused.
enum HypervisorRole {
    static let name = "hypervisor"

    /// The built-in nova.conf template, read and parsed once; where it cannot be (provision's
    /// data files not installed beside the binary), why, which the role reports for each host.
    static let novaTemplate: Result<TextTemplate, RoleError.Reason> = {
        let directory: String
        do throws(ShareDirectory.NotFound) { directory = try ShareDirectory.locate().templates } catch { return .failure(RoleError.Reason(error.description)) }
        let path = "\(directory)/roles/nova.conf.mustache"
        do { return .success(try TextTemplate(contentsOf: path)) }
        catch { return .failure(RoleError.Reason("the built-in template \(path) cannot be read: \(error)")) }
    }()

    static let role = Role(name: name) { host throws(RoleError) in
        let template: TextTemplate
        switch novaTemplate {
        case .success(let parsed): template = parsed
        case .failure(let reason): throw RoleError(host: host.name, role: name, message: reason.text)
        }
        let virtType = host.string("virt_type", default: "kvm")
        guard ["kvm", "qemu"].contains(virtType) else {
            throw RoleError(host: host.name, role: name, message: "var virt_type is '\(virtType)'; it is kvm or qemu")
        }
        let manager = PackageResource.Manager(host.os.family)
        let nova = [
            "nova_transport_url": try host.required("nova_transport_url", by: name, what: "the message queue URL, e.g. {secret_env: NOVA_TRANSPORT_URL}"),
            "keystone_url": try host.required("keystone_url", by: name, what: "Keystone's URL, e.g. https://keystone.example.net:5000/v3"),
            "nova_password": try host.required("nova_password", by: name, what: "the nova service user's password, e.g. {secret_env: NOVA_PASSWORD}"),
            "nova_user": host.string("nova_user", default: "nova"),
            "region": host.string("region", default: "RegionOne"),
            "my_ip": host.string("my_ip", default: host.network.address.description),
            "virt_type": virtType,
            // Guests see the host's CPU under KVM; emulation has no host CPU to pass through.
            "cpu_mode": virtType == "kvm" ? "host-passthrough" : "none",
        ]
        var resources: [any Resource] = virtType == "kvm" ? [VirtualizationSupportResource()] : []
        if !host.mapping("cloud_bridge").isEmpty {
            // A container (a lab node) may share its network with the machine it runs on: no
            // bridge there, and nothing installed before the probe has said so.
            resources.insert(NoContainerRequirement("cloud_bridge is not applied in a container: it may share its network with the machine it runs on"), at: 0)
        }
        let handlers = [Handler(name: "reload systemd", command: "systemctl daemon-reload"),
                        Handler(name: "restart nova-compute", command: "systemctl restart \(novaUnit(manager))")]
        // Before the package: the service its postinst starts is isolated from the start.
        resources += [
            ContainerOnlyResource(DirectoryResource("/etc/systemd/system/\(novaUnit(manager)).service.d")),
            ContainerOnlyResource(FileResource("/etc/systemd/system/\(novaUnit(manager)).service.d/50-provision-container.conf", content: """
                # Managed by provision (role hypervisor, in a container): a container such as the
                # lab's nodes may share its host's network, and nova-compute must reach nothing
                # outside it. With no message queue it never reports ready, so systemd is not to
                # wait for that.
                [Service]
                PrivateNetwork=yes
                Type=simple

                """, notifies: ["reload systemd", "restart nova-compute"])),
        ]
        let packages: [String] = switch manager {
        case .apt: ["qemu-system-x86", "qemu-utils", "libvirt-daemon-system", "libvirt-clients", "nova-compute"]
        case .dnf: ["qemu-kvm", "libvirt", "openstack-nova-compute"]
        }
        resources += packages.map { PackageResource($0, manager: manager) }
        if virtType == "kvm" { resources.append(NestedVirtualizationResource()) }
        // Socket-activated where the distribution does it so: the sockets listen, and the daemon
        // starts on the first connection (and leaves when idle).
        resources.append(ServiceResource(manager == .apt ? "libvirtd.socket" : "virtqemud.socket"))
        resources += try cloudBridge(host, manager: manager)
        resources += [
            TemplateResource("/etc/nova/nova.conf", template: template, for: host, extra: nova, mode: "0640", group: "nova",
                             notifies: ["restart nova-compute"], sensitive: true),
            ServiceResource(novaUnit(manager)),
        ]
        return HostPlaybook(resources: resources, handlers: handlers)
    }

    /// `cloud_bridge: {name: br-cloud, port: bond0, address: 10.30.0.11/24}`: the bridge guests
    /// attach to, over the data NIC or bond, in ifupdown's configuration, applied with a
    /// rollback guard (a change that cuts the host off is undone by the host within 120 s).
    static func cloudBridge(_ host: Host, manager: PackageResource.Manager) throws(RoleError) -> [any Resource] {
        let settings = host.mapping("cloud_bridge")
        guard !settings.isEmpty else { return [] }
        guard manager == .apt else {
            throw RoleError(host: host.name, role: name, message: "cloud_bridge is built for Debian and Ubuntu hosts (ifupdown) only so far")
        }
        guard case .string(let bridge)? = settings["name"], case .string(let port)? = settings["port"] else {
            throw RoleError(host: host.name, role: name, message: "cloud_bridge needs name and port: {name: br-cloud, port: bond0, address: 10.30.0.11/24}")
        }
        let address: String? = if case .string(let text)? = settings["address"] { text } else { nil }
        let file = FileResource("/etc/network/interfaces.d/provision-\(bridge)", content: """
            # Managed by provision (role hypervisor): the bridge guests attach to.
            auto \(bridge)
            iface \(bridge) inet \(address == nil ? "manual" : "static")
            \(address.map { "    address \($0)\n" } ?? "")    bridge_ports \(port)
                bridge_stp off
                bridge_fd 0

            """)
        return [
            PackageResource("bridge-utils"),
            GuardedFileResource(file, apply: "ifdown --force \(Shell.quote(bridge)) 2>/dev/null; ifup \(Shell.quote(bridge))", seconds: 120),
        ]
    }

    static func novaUnit(_ manager: PackageResource.Manager) -> String {
        manager == .apt ? "nova-compute" : "openstack-nova-compute"
    }
}
