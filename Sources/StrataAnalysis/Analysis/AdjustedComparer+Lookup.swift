extension AdjustedComparer {
  /// Per-segment comparisons by segment and treatment (the first of each pair), so walking every segment of
  /// every treatment stays linear with thousands of segments.
  struct Lookup {
    private var byKey: [String: [String: Comparison]] = [:]

    init(_ comparisons: [Comparison]) {
      for c in comparisons {
        guard let segment = c.segment, byKey[c.treatment]?[segment] == nil else { continue }
        byKey[c.treatment, default: [:]][segment] = c
      }
    }

    func comparison(segment: String, treatment: String) -> Comparison? { byKey[treatment]?[segment] }
  }
}
