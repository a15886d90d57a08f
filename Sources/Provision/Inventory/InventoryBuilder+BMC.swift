/// A host's `bmc`: Redfish or IPMI, with the password kept out of the inventory.
extension InventoryBuilder {
    func buildBMC(_ node: SourceNode) -> BMC? {
        let refused = ["password": "the BMC password is never written inline: use 'password_env: VAR' or 'password_file: PATH'"]
        let keys = ["type", "address", "username", "password_env", "password_file", "ca_file", "insecure_tls", "system"]
        guard let fields = reader.mapping(node, what: "'bmc'", keys: keys, refused: refused) else { return nil }
        guard let typeNode = fields["type"], let addressNode = fields["address"], let userNode = fields["username"] else {
            reader.error("'bmc' needs 'type' (redfish or ipmi), 'address', 'username' and 'password_env' or 'password_file'", at: fields.location)
            return nil
        }
        let kind = reader.oneOf(typeNode, what: "'type'", as: BMC.Kind.self)
        let address: String? = kind == .redfish ? url(addressNode, what: "a Redfish 'address'", schemes: ["https", "http"]) : reader.string(addressNode, what: "'address'")
        let username = reader.string(userNode, what: "'username'")
        var credential: Secret?
        switch (fields["password_env"], fields["password_file"]) {
        case (let env?, nil): credential = reader.string(env, what: "'password_env'").map { Secret(.environment($0)) }
        case (nil, let file?): credential = reader.string(file, what: "'password_file'").map { Secret(.file($0)) }
        case (_?, _?): reader.error("'bmc' has both 'password_env' and 'password_file'; keep one", at: fields.location)
        case (nil, nil) where !node.hasKey("password"): reader.error("'bmc' needs 'password_env' (an environment variable) or 'password_file' (a file holding the password)", at: fields.location)
        case (nil, nil): break  // the inline password is already reported
        }
        guard let kind, let address, let username, let credential else { return nil }
        var bmc = BMC(kind: kind, address: address, username: username, password: credential)
        if kind == .ipmi {
            for key in ["ca_file", "insecure_tls", "system"] {
                if let name = fields.keys[key] { reader.error("'\(key)' applies to Redfish BMCs only; this one is 'type: ipmi'", at: name.location) }
            }
            return bmc
        }
        let caFile = fields["ca_file"].flatMap { reader.string($0, what: "'ca_file'") }
        let insecure = fields["insecure_tls"].flatMap { reader.bool($0, what: "'insecure_tls'") } ?? false
        switch (caFile, insecure) {
        case (let path?, false): bmc.tls = .caFile(path)
        case (nil, true): bmc.tls = .insecure
        case (_?, true): reader.error("'bmc' has both 'ca_file' and 'insecure_tls: true'; keep 'ca_file' to verify the BMC's certificate", at: fields.location)
        case (nil, false): break
        }
        if let systemNode = fields["system"], let path = reader.string(systemNode, what: "'system'") {
            if path.hasPrefix("/redfish/v1/Systems/") {
                bmc.system = path
            } else {
                reader.error("'system' '\(path)' is not a Redfish system path such as /redfish/v1/Systems/1", at: systemNode.location)
            }
        }
        return bmc
    }
}
