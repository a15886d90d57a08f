import Foundation

/// The Mustache templates that rendering uses: the built-in set shipped with provision, each
/// replaced by a site's file of the same relative path when the inventory names a directory.
/// All are parsed up front, so a broken template is reported (file:line:column) before
/// anything is written.
public struct TemplateSet: Sendable {
    /// Names (relative paths without `.mustache`) of every template rendering needs.
    public static let names = [
        "boot/pxelinux-install.cfg", "boot/pxelinux-local.cfg",
        "boot/grub.cfg", "boot/grub-install.cfg", "boot/grub-local.cfg",
        "boot/boot.ipxe", "boot/ipxe-install.ipxe", "boot/ipxe-local.ipxe",
        "dnsmasq/dnsmasq.conf",
        "install/debian/preseed.cfg", "install/rhel/ks.cfg", "install/ubuntu/user-data", "install/ubuntu/meta-data",
    ]

    private var templates: [String: TextTemplate]
    /// The SHA-256 of every template's name and text: part of each host's render inputs, so
    /// that a changed template re-renders every host, never carries one.
    public let digest: String

    /// `builtIn` nil: the share directory's templates, or `ShareDirectory.NotFound` (where it
    /// looked, what to do) when there is none. Template errors are a `DiagnosticsError`.
    public init(builtIn: String? = nil, override: String? = nil) throws {
        let builtIn = try builtIn ?? ShareDirectory.locate().templates
        var templates: [String: TextTemplate] = [:]
        var diagnostics: [Diagnostic] = []
        var sources = SourceTexts()
        var digestInput = ""
        for name in Self.names {
            var path = "\(builtIn)/\(name).mustache"
            if let override, FileManager.default.fileExists(atPath: "\(override)/\(name).mustache") {
                path = "\(override)/\(name).mustache"
            }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                diagnostics.append(.error("template '\(name)' is missing: no readable \(path)", at: nil))
                continue
            }
            sources.add(file: path, text: text)
            digestInput += "\(name)\0\(text.utf8.count)\0\(text)"
            do {
                templates[name] = try TextTemplate(text, path: path)
            } catch {
                diagnostics += error.diagnostics
            }
        }
        if !diagnostics.isEmpty { throw DiagnosticsError(diagnostics, sources: sources) }
        self.templates = templates
        digest = sha256Hex(digestInput)
    }

    public func render(_ name: String, _ context: [String: Any]) -> String {
        guard let template = templates[name] else { preconditionFailure("template \(name) is not in TemplateSet.names") }
        return template.render(context)
    }
}
