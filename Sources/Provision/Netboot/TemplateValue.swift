import Mustache

/// A string as install and boot templates see it. `{{x}}` inserts it as it is; the transforms
/// quote it for the context it lands in, so templates never quote by hand:
/// `{{sh(x)}}` is one POSIX shell word (also one kickstart word: anaconda splits with shlex),
/// `{{yaml(x)}}` a YAML double-quoted scalar. Transforms chain: `{{yaml(sh(x))}}`.
/// Every string of a template context is one, so a site template can quote any value. An empty one is null to sections, as in other Mustache implementations.
struct TemplateValue: MustacheCustomRenderable, MustacheTransformable, CustomStringConvertible, Equatable {
    let text: String

    init(_ text: String) { self.text = text }

    var renderText: String { text }
    var isNull: Bool { text.isEmpty }
    var description: String { text }

    func transform(_ name: String) -> Any? {
        switch name {
        case "sh": return TemplateValue(Shell.quote(text))
        case "yaml": return TemplateValue(YAMLString.quote(text))
        default: return text.transform(name)
        }
    }
}
