import Provision

/// A resource that is a `file` in every respect but its kind (and, maybe, how its fix applies
/// the change): probe, compare, content and notifications are the file's.
public protocol FileBackedResource: Resource {
    var file: FileResource { get }
}

extension FileBackedResource {
    public var name: String { file.path }
    public var probe: Probe { file.probe }
    public func compare(probed: String) -> Comparison { file.compare(probed: probed) }
    public var fix: String { file.fix }
    public var fixInput: String? { file.fixInput }
    public var notifies: [String] { file.notifies }
    public var contentProbe: String? { file.contentProbe }
    public var desiredContent: String? { file.desiredContent }
    public var sensitive: Bool { file.sensitive }
}
