/// A host's `os`: a supported family and release, and the mirror it installs from.
extension InventoryBuilder {
    func buildOS(_ node: SourceNode) -> OperatingSystem? {
        guard let fields = reader.mapping(node, what: "'os'", keys: ["family", "release", "mirror"]) else { return nil }
        guard let familyNode = fields["family"], let releaseNode = fields["release"], let mirrorNode = fields["mirror"] else {
            reader.error("'os' needs 'family' (debian, ubuntu, rocky, rhel, almalinux), 'release' and 'mirror'", at: fields.location)
            return nil
        }
        guard let family = reader.oneOf(familyNode, what: "'family'", as: OperatingSystem.Family.self),
              let release = reader.string(releaseNode, what: "'release'"),
              let mirror = url(mirrorNode, what: "'mirror'", schemes: ["http", "https"]) else { return nil }
        if !family.supportedReleases.contains(release) {
            let hint = release.contains(".") || releaseNode.isPlainNumber ? " (quote versions such as \"24.04\": unquoted, YAML may read them as numbers)" : ""
            reader.error("\(family.rawValue) release '\(release)' is not supported; supported: \(family.supportedReleases.joined(separator: ", "))\(hint)", at: releaseNode.location)
            return nil
        }
        return OperatingSystem(family: family, release: release, mirror: mirror)
    }
}
