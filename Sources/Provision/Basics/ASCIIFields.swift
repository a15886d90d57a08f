extension StringProtocol {
    /// The text split at each `separator`, an ASCII character, empty fields kept, at most
    /// `maxSplits` times; each field a slice of the text. Over the bytes: no Character is
    /// formed, which is most of the cost of splitting probe output the usual way (a fleet's
    /// plan reads every line of every host's output).
    public func fields(separatedBy separator: Unicode.Scalar, maxSplits: Int = .max) -> [Substring] {
        precondition(separator.isASCII, "fields(separatedBy:) splits on ASCII separators only")
        return Substring(self).utf8.split(separator: UInt8(ascii: separator), maxSplits: maxSplits, omittingEmptySubsequences: false)
            .map(Substring.init)
    }
}
