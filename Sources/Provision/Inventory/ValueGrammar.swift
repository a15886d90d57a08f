import Foundation

/// The grammar of each kind of inventory value that reaches a rendered file: a kernel command
/// line, a preseed/kickstart/autoinstall directive, a shell line, a dnsmasq or boot loader line.
/// Templates quote values for their context too (docs/templates.md), but a kernel command line
/// cannot be quoted portably and a name must mean the same to every tool that reads it, so a
/// value is accepted only in the shape of what it is. Each check returns nil when the value
/// fits, or what was expected instead (for the error).
enum ValueGrammar {
    /// `/dev/sda`, `/dev/nvme0n1`, `/dev/disk/by-id/wwn-0x5000c500a1b2c3d4`, `/dev/md/root`.
    static func devicePath(_ text: String) -> String? {
        let expected = "a disk device path under /dev/ (e.g. /dev/sda or /dev/disk/by-id/...) of letters, digits and . _ - : + /"
        guard text.hasPrefix("/dev/"), text.utf8.count > 5, text.utf8.count <= 255,
              text.utf8.allSatisfy({ isAlphanumeric($0) || "._-:+/".utf8.contains($0) }) else { return expected }
        if text.contains("..") { return "a disk device path without '..'" }
        if text.contains("//") || text.hasSuffix("/") { return "a disk device path without an empty component ('//' or a trailing '/')" }
        return nil
    }

    /// A Linux interface name as the installers and ifupdown, netplan and NetworkManager all
    /// take it: at most 15 bytes (IFNAMSIZ - 1), and none of the characters the kernel refuses
    /// (`/`, `:`, whitespace) or that a config line would read as syntax (quotes, `,`, `=`).
    /// The name is also a file name (`/proc/sys/net/ipv4/conf/NAME`, `ifcfg-NAME`): no `..`.
    static func interfaceName(_ text: String) -> String? {
        guard (1...15).contains(text.utf8.count), text != ".", !text.contains(".."), !text.hasPrefix("-"),
              text.utf8.allSatisfy({ isAlphanumeric($0) || "_.-".utf8.contains($0) }) else {
            return "a Linux interface name: 1 to 15 letters, digits, '_', '.' or '-', not starting with '-', without '..'"
        }
        return nil
    }

    /// One label of a host or domain name (RFC 1123): letters, digits and `-`, at most 63.
    static func isHostLabel(_ label: some StringProtocol) -> Bool {
        !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
            && label.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    static func hostName(_ text: String) -> String? {
        isHostLabel(text) ? nil : "a host name: letters, digits and '-', at most 63, not starting or ending with '-'"
    }

    static func domainName(_ text: String) -> String? {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        guard text.utf8.count <= 253, labels.allSatisfy(isHostLabel) else {
            return "a DNS domain: labels of letters, digits and '-' separated by single dots, e.g. dc1.example.net"
        }
        return nil
    }

    /// `en_US.UTF-8`, `de_CH.ISO-8859-1`, `ca_ES@valencia`, or `C`, `C.UTF-8`, `POSIX`.
    static func locale(_ text: String) -> String? {
        let expected = "a locale such as en_US.UTF-8 (language_TERRITORY[.CHARSET][@modifier]), C, C.UTF-8 or POSIX"
        if ["C", "C.UTF-8", "C.utf8", "POSIX"].contains(text) { return nil }
        let bytes = Array(text.utf8)
        var index = 0
        func run(_ allowed: (UInt8) -> Bool) -> Int {
            let start = index
            while index < bytes.count, allowed(bytes[index]) { index += 1 }
            return index - start
        }
        func take(_ byte: Character) -> Bool {
            guard index < bytes.count, bytes[index] == byte.asciiValue else { return false }
            index += 1
            return true
        }
        guard (2...3).contains(run(isLower)), take("_"), run(isUpper) == 2 else { return expected }
        if take("."), run({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") }) == 0 { return expected }
        if take("@"), run(isLower) == 0 { return expected }
        return index == bytes.count ? nil : expected
    }

    /// The Linux bonding driver's modes, by name (netplan takes names only).
    static let bondModes = ["balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"]

    static func bondMode(_ text: String) -> String? {
        bondModes.contains(text) ? nil : "a Linux bonding mode: one of \(bondModes.joined(separator: ", "))"
    }

    /// A crypt(3) hash as `mkpasswd` makes it: only crypt's own alphabet, `$` and the `=` of
    /// `rounds=`, so it is one word in every file it lands in.
    static func passwordHash(_ text: String) -> String? {
        // Byte-wise: every host of a large site is checked, most with the same hash.
        let parts = text.utf8.split(separator: UInt8(ascii: "$"), omittingEmptySubsequences: false)
        let isSHA512 = text.hasPrefix("$6$") && parts.count >= 4 && parts.last!.count == 86
        let isYescrypt = text.hasPrefix("$y$") && parts.count >= 5 && !parts.last!.isEmpty
        guard isSHA512 || isYescrypt, text.utf8.allSatisfy({ isAlphanumeric($0) || "$./=".utf8.contains($0) }) else {
            return "a SHA-512 ($6$) or yescrypt ($y$) crypt hash; plaintext passwords are refused. Make one with `mkpasswd -m sha-512`"
        }
        return nil
    }

    /// A URL as installers, boot loaders and dnsmasq read it: `scheme://host[:port][/path]`,
    /// the host a name or an IPv4 address, the port 1-65535, and a path of URL characters
    /// without quotes, spaces, `;`, `$`, `,`, `#` or `?` (each is syntax in one of the files a
    /// URL goes into). No user:password@: it would be written into every install file.
    static func url(_ text: String, schemes: [String]) -> String? {
        let expected = "a URL \(schemes.map { "\($0)://" }.joined(separator: " or "))host[:port][/path]"
        guard let separator = text.range(of: "://") else { return expected }
        let scheme = String(text[..<separator.lowerBound])
        guard schemes.contains(scheme) else { return "\(expected); '\(scheme)://' is not accepted here" }
        let rest = text[separator.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        let path = rest[authority.endIndex...]
        if authority.contains("@") { return "\(expected), without user:password@ (it would be written into every install file)" }
        let hostPart = authority.prefix { $0 != ":" }
        let host = String(hostPart)
        guard !host.isEmpty, IPv4Address(host) != nil || (domainName(host) == nil && !host.allSatisfy({ $0.isNumber || $0 == "." })) else {
            return "\(expected): the host must be a DNS name or an IPv4 address"
        }
        if hostPart.endIndex < authority.endIndex {
            let port = authority[authority.index(after: hostPart.endIndex)...]
            guard !port.isEmpty, port.count <= 5, port.first != "0", port.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let number = Int(port), (1...65535).contains(number) else {
                return "\(expected): the port must be a number from 1 to 65535"
            }
        }
        let bytes = Array(path.utf8)
        for (index, byte) in bytes.enumerated() {
            let isEscape = byte == UInt8(ascii: "%") && index + 2 < bytes.count && isHexDigit(bytes[index + 1]) && isHexDigit(bytes[index + 2])
            guard isAlphanumeric(byte) || "/._~-+=:".utf8.contains(byte) || isEscape else {
                return "\(expected): the path may hold letters, digits, / . _ ~ - + = : and %XX escapes only"
            }
        }
        return text.utf8.count <= 2048 ? nil : "\(expected) of at most 2048 characters"
    }

    /// OpenSSH's key types for `authorized_keys`.
    static let keyTypes: Set<String> = SSHHostKey.types.union(["sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com"])

    /// `TYPE BASE64 [COMMENT]`, as `ssh-keygen` writes it: a known type, a blob that decodes
    /// and names that type, and a comment of printable characters (a `'` is fine: templates
    /// quote it). Options (`from="..."`) are not taken: they are written by hand, and a quote
    /// in them is where a broken line starts.
    static func authorizedKey(_ text: String) -> String? {
        let expected = "an OpenSSH public key line 'TYPE BASE64 [COMMENT]' (e.g. 'ssh-ed25519 AAAA... ops@example.net')"
        let fields = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count >= 2, text.utf8.count <= 16_384 else { return expected }
        do {
            _ = try SSHHostKey(line: "\(fields[0]) \(fields[1])", types: keyTypes)
        } catch {
            return "\(expected); \(error.reason)"
        }
        if fields.count == 3, let problem = printableText(String(fields[2])) { return "a key comment of \(problem)" }
        return nil
    }

    /// Nil when `text` is printable text on one line: no control, format (bidirectional
    /// overrides), separator, private-use or unassigned characters.
    static func printableText(_ text: String) -> String? {
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
                return "printable characters on one line (it holds U+\(String(scalar.value, radix: 16, uppercase: true)))"
            default:
                if scalar.properties.isNoncharacterCodePoint { return "printable characters (it holds a Unicode noncharacter)" }
            }
        }
        return nil
    }

    /// A value as an error message shows it: long ones cut, so a hostile value cannot bury the
    /// message (what is not printable is escaped for every message, by `NodeReader.error`).
    static func shown(_ text: String) -> String {
        text.count > 60 ? String(text.prefix(57)) + "..." : text
    }

    /// `text` with every character that is not printable on one line written as `\u{hex}`: an
    /// error message quotes what the user wrote, and a newline or a bidirectional override in
    /// it must not rearrange the terminal or CI log it is printed to.
    static func escaped(_ text: String) -> String {
        guard printableText(text) != nil else { return text }
        return text.unicodeScalars.map { scalar in
            printableText(String(scalar)) == nil ? String(scalar) : "\\u{\(String(scalar.value, radix: 16))}"
        }.joined()
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool { isLower(byte) || isUpper(byte) || (0x30...0x39).contains(byte) }
    private static func isLower(_ byte: UInt8) -> Bool { (0x61...0x7a).contains(byte) }
    private static func isUpper(_ byte: UInt8) -> Bool { (0x41...0x5a).contains(byte) }
    private static func isHexDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte) }
}
