import Provision

/// One input for libFuzzer: one inventory file's text, as `provision validate` reads it, then
/// rendered as `netboot render` would. libFuzzer itself flags a crash, an input slower than its
/// `-timeout` or one that grows the process past `-rss_limit_mb` (the "billion laughs" shape);
/// the checks below flag what a user would call wrong: an inventory rejected without a located
/// reason, or one accepted that is not whole.
func inventoryFuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    // The loader refuses text that is not UTF-8 before parsing; the fuzzer's bytes go to the parser.
    guard let text = String(validating: bytes, as: UTF8.self) else { return 0 }
    do {
        let inventory = try InventoryLoader.load(files: [("fuzz.yml", text)])
        check(inventory)
    } catch {
        check(error)
    }
    return 0
}

private let templates: TemplateSet = {
    do { return try TemplateSet() } catch { fatalError("the built-in templates do not parse: \(error)") }
}()

/// What loads is whole: names, addresses and boot MACs each belong to one host, and every host
/// renders its boot and install files.
private func check(_ inventory: Inventory) {
    let hosts = inventory.hosts
    expect(Set(hosts.map { $0.name.lowercased() }).count == hosts.count, "two hosts share a name")
    expect(Set(hosts.map(\.network.address)).count == hosts.count, "two hosts share an address")
    let macs = hosts.flatMap { $0.nics.map(\.mac) }
    expect(Set(macs).count == macs.count, "two NICs share a MAC")
    let renderer = NetbootRenderer(inventory: inventory, templates: templates)
    for host in hosts {
        for file in renderer.hostFiles(for: host, armed: true) {
            expect(!file.path.contains(".."), "\(host.name): rendered path \(file.path) leaves the tree")
        }
    }
}

/// Every error says what and where: a line of the file, which its excerpt prints.
private func check(_ error: DiagnosticsError) {
    expect(!error.diagnostics.isEmpty, "rejected without a reason")
    for diagnostic in error.diagnostics {
        expect(!diagnostic.message.isEmpty, "an error without a message")
        if let location = diagnostic.location {
            expect(location.column >= 1 && error.sources.line(location.line, of: location.file) != nil, "\(diagnostic) points outside the file")
        }
    }
}

/// A failed check stops the fuzzer, which then writes the input that caused it.
private func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
