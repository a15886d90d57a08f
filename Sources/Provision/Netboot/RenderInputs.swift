/// The digest of everything one host's files are rendered from: the version of provision,
/// the template set (its digest), each file's path with the template that renders it (which
/// also says whether the host is armed: install or local boot), and every value of the
/// template context, in a canonical encoding (keys sorted, each value tagged with its type and
/// length). Equal digests mean equal files, so a render may carry them from the current tree
/// (`RenderManifest`); anything a template can see is in the context, so nothing it reads can
/// change without changing the digest.
enum RenderInputs {
    static func digest(files: [(path: String, template: String)], context: [String: Any], templates: TemplateSet) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4096)
        append(text: ProvisionVersion.current, to: &bytes)
        append(text: templates.digest, to: &bytes)
        for file in files {
            append(text: file.path, to: &bytes)
            append(text: file.template, to: &bytes)
        }
        append(context, to: &bytes)
        return sha256Hex(bytes: bytes)
    }

    private static func append(_ value: TemplateValue, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "s"))
        append(text: value.text, to: &bytes)
    }

    private static func append(text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            append(count: utf8.count, to: &bytes)
            bytes.append(contentsOf: utf8)
        }
    }

    private static func append(count: Int, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: UInt64(count).littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// The context's value types, as `TemplateContext` builds them; any other type is a
    /// programming error (it would otherwise be left out of the digest).
    private static func append(_ value: Any, to bytes: inout [UInt8]) {
        // The concrete types come first: a cast to them takes the value as it is, where one to
        // `[String: Any]` or `[Any]` builds a converted copy.
        switch value {
        case let value as TemplateValue: append(value, to: &bytes)
        case let flag as Bool: bytes.append(UInt8(ascii: flag ? "t" : "f"))
        case let values as [TemplateValue]: append(array: values, to: &bytes, each: append)
        case let dictionary as [String: TemplateValue]: append(dictionary: dictionary, to: &bytes, each: append)
        case let dictionary as [String: Any]: append(dictionary: dictionary, to: &bytes, each: append)
        case let values as [Any]: append(array: values, to: &bytes, each: append)
        default: preconditionFailure("a template context value of type \(type(of: value)) is not in the render digest")
        }
    }

    private static func append<Value>(array: [Value], to bytes: inout [UInt8], each: (Value, inout [UInt8]) -> Void) {
        bytes.append(UInt8(ascii: "["))
        append(count: array.count, to: &bytes)
        for value in array { each(value, &bytes) }
    }

    private static func append<Value>(dictionary: [String: Value], to bytes: inout [UInt8], each: (Value, inout [UInt8]) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        append(count: dictionary.count, to: &bytes)
        for key in dictionary.keys.sorted() {
            append(text: key, to: &bytes)
            each(dictionary[key]!, &bytes)
        }
    }
}
