extension AdjustedComparer {
  /// Per-segment comparisons by segment and treatment position (`segmentIndex`, `treatmentIndex`).
  ///
  /// No dictionary of names: at 20,000 segments a lookup by name cost more than the comparisons. The first comparison
  /// of a segment and treatment wins; the all-segments ones (no segment) are left out.
  struct Table {
    private let treatments: Int
    /// The treatment's position among `plan.treatmentIndices`, per variant (nil for the control).
    private let position: [Int?]
    private let comparisons: [Comparison]
    /// Per segment × treatment position, the index in `comparisons`, or -1.
    private var slots: [Int]

    init(_ comparisons: [Comparison], plan: AnalysisPlan) {
      let treatmentIndices = plan.treatmentIndices
      treatments = treatmentIndices.count
      var position = [Int?](repeating: nil, count: plan.variants.count)
      for (offset, treatment) in treatmentIndices.enumerated() { position[treatment] = offset }
      self.position = position
      self.comparisons = comparisons
      slots = [Int](repeating: -1, count: plan.segments.count * treatments)
      for (index, c) in comparisons.enumerated() {
        guard let segment = c.segmentIndex, let offset = position[c.treatmentIndex] else { continue }
        let slot = segment * treatments + offset
        if slots[slot] < 0 { slots[slot] = index }
      }
    }

    /// The comparison of `treatment` (a variant index) in `segment`, or nil.
    func comparison(segment: Int, treatment: Int) -> Comparison? {
      guard let offset = position[treatment] else { return nil }
      let index = slots[segment * treatments + offset]
      return index < 0 ? nil : comparisons[index]
    }
  }
}
