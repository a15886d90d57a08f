extension SourceNode {
    /// Layers `override` on top of `self`: mappings merge key by key (recursively), anything
    /// else is replaced whole, lists included, so a host's `dns:` replaces the default list
    /// rather than appending to it. Every value keeps the location it was written at.
    func merged(with override: SourceNode) -> SourceNode {
        guard case .mapping(let basePairs, let baseLocation) = self,
              case .mapping(let overPairs, _) = override else { return override }
        var pairs = basePairs
        for (key, value) in overPairs {
            if let index = pairs.firstIndex(where: { $0.key.text == key.text }) {
                pairs[index] = (key, pairs[index].value.merged(with: value))
            } else {
                pairs.append((key, value))
            }
        }
        return .mapping(pairs, baseLocation)
    }
}
