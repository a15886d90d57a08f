/// A host's `disk`: the devices it installs to and their layout.
extension InventoryBuilder {
    func buildDisk(_ node: SourceNode) -> DiskLayout? {
        guard let fields = reader.mapping(node, what: "'disk'", keys: ["devices", "layout", "raid1"]) else { return nil }
        guard let devicesNode = fields["devices"] else {
            reader.error("'disk' needs 'devices', e.g. [/dev/sda] or [/dev/sda, /dev/sdb] with raid1: true", at: fields.location)
            return nil
        }
        guard let checked = values(devicesNode, what: "'devices'", ValueGrammar.devicePath) else { return nil }
        let devices = checked.map(\.text)
        var seen: [String: SourceLocation] = [:]
        for (device, location) in checked {
            if let first = seen[device] {
                reader.error("disk '\(device)' is listed twice in 'devices'\(devices.count == 2 ? ": a RAID1 mirrors two different disks" : "")", at: location,
                             related: [.note("first listed here", at: first)])
                return nil
            }
            seen[device] = location
        }
        let layout = fields["layout"].flatMap { reader.oneOf($0, what: "'layout'", as: DiskLayout.Layout.self) } ?? .lvm
        let raid1 = fields["raid1"].flatMap { reader.bool($0, what: "'raid1'") } ?? false
        if raid1, devices.count != 2 {
            reader.error("'raid1: true' mirrors exactly two disks; 'devices' has \(devices.count)", at: devicesNode.location)
            return nil
        }
        if devices.isEmpty {
            reader.error("'devices' is empty: name the disk to install to", at: devicesNode.location)
            return nil
        }
        return DiskLayout(devices: devices, layout: layout, raid1: raid1)
    }
}
