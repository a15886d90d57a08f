// Yams' own libyaml (a target of the Yams package): its event stream is read before Yams
// builds a node tree, because building is where a hostile document does its harm.
import CYaml

/// Bounds on one YAML document, so that no input, however hostile, takes more than moments and
/// a bounded amount of memory to read.
///
/// Yams shares an anchored node among its aliases, so a 5 KB document of ten levels of ten
/// aliases ("billion laughs") composes cheaply but stands for 10^10 nodes, and everything that
/// walks it (the conversion to `SourceNode`, and Yams' own hashing of keys to find duplicates)
/// walks all of them. This check counts what each alias stands for on libyaml's event stream,
/// one pass over the text, and stops at the alias that breaks a bound, before any tree is built.
public enum YAMLLimits {
    /// An inventory file of 10,000 hosts is about 1.3 MB (bench/render); 16 MiB is over ten
    /// times that, and what reading it may cost (about 1 GB at worst) stays well within a
    /// controller. A larger site splits its inventory into a directory of files.
    public static let maxFileBytes = 16 << 20

    /// Inventories nest about 8 levels (hosts, a host, network, bonds, a bond, interfaces);
    /// `vars` a few more. libyaml itself stops at 1,000, deep enough to exhaust a stack.
    static let maxDepth = 64

    /// How many nodes a document of `bytes` bytes may stand for once its aliases are expanded.
    /// Without aliases a node takes at least two bytes (`a,`), so this lets aliases double any
    /// document, and gives small ones room for 100,000 nodes; an alias bomb then costs no more
    /// than the largest document written out.
    static func nodeBudget(bytes: Int) -> Int { max(100_000, bytes) }

    /// The first bound that `yaml` breaks, as an error where it breaks it; nil when it keeps
    /// them all, or has a syntax error (Yams reports that, with its position).
    static func violation(in yaml: String, file: String) -> Diagnostic? {
        let bytes = Array(yaml.utf8)
        if bytes.count > maxFileBytes {
            return .error("the file is \(bytes.count >> 20) MiB, more than the \(maxFileBytes >> 20) MiB an inventory file may have: split it into a directory of files",
                          at: SourceLocation(file: file, line: 1, column: 1))
        }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        return bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var walk = Walk(budget: nodeBudget(bytes: bytes.count), file: file)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                let type = event.type
                let found = walk.visit(event)
                yaml_event_delete(&event)
                if found != nil || type == YAML_STREAM_END_EVENT { return found }
            }
        }
    }

    /// The collections open at the current event, and what each anchor stands for.
    private struct Walk {
        /// A node: how many nodes it stands for (itself included) and how many levels of
        /// collections it holds (0 for a scalar).
        struct Extent { var nodes: Int; var levels: Int }

        let budget: Int
        let file: String
        var open: [(extent: Extent, anchor: String?)] = []
        var anchors: [String: Extent] = [:]
        /// Nodes the document stands for so far; it never passes `budget` by more than one
        /// alias's extent, which is itself within the budget, so it cannot overflow.
        var nodes = 0

        init(budget: Int, file: String) {
            self.budget = budget
            self.file = file
        }

        mutating func visit(_ event: yaml_event_t) -> Diagnostic? {
            // Built only for an error: this runs for every node of every inventory read.
            var location: SourceLocation { SourceLocation(file: file, line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1) }
            switch event.type {
            case YAML_SCALAR_EVENT:
                nodes += 1
                close(Extent(nodes: 1, levels: 0), anchor: Self.text(event.data.scalar.anchor))
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                guard open.count < maxDepth else {
                    return .error("values are nested more than \(maxDepth) levels deep; an inventory needs about 10: flatten this", at: location)
                }
                nodes += 1
                let anchor = event.type == YAML_SEQUENCE_START_EVENT ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                open.append((Extent(nodes: 1, levels: 1), Self.text(anchor)))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                if let (extent, anchor) = open.popLast() { close(extent, anchor: anchor) }
            case YAML_ALIAS_EVENT:
                // An undefined alias is a composer error that Yams reports.
                guard let name = Self.text(event.data.alias.anchor), let extent = anchors[name] else { return nil }
                if open.count + extent.levels > maxDepth {
                    return .error("the alias '*\(name)' nests values more than \(maxDepth) levels deep; write them out, or flatten them", at: location)
                }
                nodes += extent.nodes
                if nodes > budget {
                    return .error("""
                        the alias '*\(name)' makes this document stand for more than \(budget) values (aliases of aliases multiply, \
                        as in a "billion laughs" attack); write the values out, or share settings through groups and defaults
                        """, at: location)
                }
                close(extent, anchor: nil)
            default:
                break
            }
            return nil
        }

        /// A node ends: its anchor (if any) now stands for it, and its collection holds it.
        private mutating func close(_ extent: Extent, anchor: String?) {
            if let anchor { anchors[anchor] = extent }
            guard !open.isEmpty else { return }
            open[open.count - 1].extent.nodes += extent.nodes
            open[open.count - 1].extent.levels = max(open[open.count - 1].extent.levels, extent.levels + 1)
        }

        private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: $0) }
        }
    }
}
