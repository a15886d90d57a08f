/// YAML's double-quoted scalar: the one YAML form that holds any text on one line unchanged
/// (a plain scalar turns `no`, `1e3` or `a: b` into something else). What YAML would not keep
/// as it is inside the quotes is escaped: control characters, its line breaks (NEL, LS, PS:
/// folded otherwise) and the byte-order mark and noncharacters (which parsers refuse).
enum YAMLString {
    static func quote(_ text: String) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f || (0x80...0x9f).contains(scalar.value)
                || [0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF].contains(scalar.value):
                let hex = String(scalar.value, radix: 16)
                quoted += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}
