/// The `site` section: the controller's install server, TFTP, pinned assets, relays and playbooks.
extension InventoryBuilder {
    func buildSite(_ node: SourceNode, directory: String) -> Site? {
        guard let fields = reader.mapping(node, what: "'site'", keys: InventoryLoader.siteKeys) else { return nil }
        guard let serverNode = fields["install_server"] else {
            reader.error("'site' needs 'install_server': the URL installers reach this controller at, e.g. http://10.20.0.5:8080", at: fields.location)
            return nil
        }
        guard let server = url(serverNode, what: "'install_server'", schemes: ["http"]) else { return nil }
        var site = Site(installServer: server)
        if let node = fields["tftp_server"] { site.tftpServer = ipv4(node, what: "'tftp_server'") }
        if let node = fields["templates"], let path = reader.string(node, what: "'templates'") {
            site.templates = resolve(path, in: directory)
        }
        if let node = fields["dhcp_interface"] { site.dhcpInterface = value(node, what: "'dhcp_interface'", ValueGrammar.interfaceName) }
        if let node = fields["confirm_above"], let value = reader.int(node, what: "'confirm_above'", in: 0...100_000) { site.confirmAbove = value }
        if let node = fields["history_days"], let value = reader.int(node, what: "'history_days'", in: 1...36_500) { site.historyDays = value }
        for item in fields["assets"].flatMap({ reader.list($0, what: "'assets'") }) ?? [] {
            guard let asset = reader.mapping(item, what: "an asset", keys: ["path", "url", "sha256"]),
                  let path = asset["path"].flatMap({ reader.string($0, what: "an asset's 'path'") }),
                  let urlNode = asset["url"], let url = url(urlNode, what: "an asset's 'url'", schemes: ["http", "https"]),
                  let shaNode = asset["sha256"], let sha = reader.string(shaNode, what: "'sha256'") else {
                reader.error("an asset needs 'path' (in the tree's tftp/), 'url' and 'sha256'", at: item.location)
                continue
            }
            if path.hasPrefix("/") || path.split(separator: "/").contains("..") {
                reader.error("asset path '\(path)' must be relative and stay inside the tree", at: item.location)
                continue
            }
            guard sha.count == 64, sha.allSatisfy(\.isHexDigit) else {
                reader.error("'sha256' must be 64 hex digits, found '\(sha)'", at: shaNode.location)
                continue
            }
            site.assets.append(PinnedAsset(path: path, url: url, sha256: sha.lowercased()))
        }
        if let node = fields["install_relays"] { site.installRelays = installRelays(node) }
        for item in fields["playbooks"].flatMap({ reader.list($0, what: "'playbooks'") }) ?? [] {
            guard let path = reader.string(item, what: "a playbook path") else { continue }
            site.playbooks.append(InventoryPath(written: path, path: resolve(path, in: directory), location: item.location))
        }
        return site
    }
}
