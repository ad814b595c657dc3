/// How `analyze` names a variant and then the segment where it works best: the two choices, written once
/// for the decision (`DecisionMaker`, `SegmentPooling.best`) and the simulation that scores the interval
/// quoted for them (`PoolingSimulation` with several variants).
///
/// Ties go to the first in order (`max(by:)` keeps the first of equal elements).
public enum BestChoice {
  /// The variant a decision is about: the credible one with the largest effect in the good direction,
  /// else the credible one with the largest harm, else the largest estimate in the good direction.
  ///
  /// An effect is good when it is non-zero and its sign is the metric's good direction. Returns an index of
  /// `estimates`; nil when there is none.
  /// - Precondition: `credible` has one flag per estimate.
  public static func variant(estimates: [Double], credible: [Bool], higherIsBetter: Bool) -> Int? {
    precondition(credible.count == estimates.count, "one credibility flag per estimate")
    let good: (Int) -> Bool = { isGood(estimates[$0], higherIsBetter: higherIsBetter) }
    let larger: (Int, Int) -> Bool = { abs(estimates[$0]) < abs(estimates[$1]) }
    let indices = estimates.indices
    if let top = indices.filter({ credible[$0] && good($0) }).max(by: larger) { return top }
    if let worst = indices.filter({ credible[$0] && !good($0) }).max(by: larger) { return worst }
    return indices.max { higherIsBetter ? estimates[$0] < estimates[$1] : estimates[$0] > estimates[$1] }
  }

  /// Whether an effect points the good way: non-zero, with the sign of the metric's good direction.
  ///
  /// The test `variant(estimates:credible:higherIsBetter:)` ranks by, and the decision's ship / do-not-ship.
  public static func isGood(_ estimate: Double, higherIsBetter: Bool) -> Bool {
    (estimate > 0) == higherIsBetter && estimate != 0
  }

  /// Credibility at a fixed horizon: Holm's step-down adjustment of the p-values across the variants
  /// compared, credible when the adjusted p-value is below `alpha` (a variant without a p-value never is;
  /// it counts as p = 1 in the family).
  ///
  /// Returns the adjusted p-values (the raw ones if Holm's adjustment rejects them, which a valid p-value
  /// never makes it do) and the flags, in the input order.
  public static func holmCredible(_ pValues: [Double?], alpha: Double) -> (adjusted: [Double], credible: [Bool]) {
    let values = pValues.map { $0 ?? 1 }
    let adjusted = (try? MultipleTestingCorrection.holm.adjust(values)) ?? values
    return (adjusted, pValues.indices.map { pValues[$0] != nil && adjusted[$0] < alpha })
  }

  /// The segment where a variant works best: the largest shrunken estimate in the metric's good direction.
  ///
  /// nil with fewer than two segments (nothing to choose among). Returns an index of `segments`.
  /// Inlinable, so that each caller gets it specialised: unspecialised, at 20,000 segments × 16 variants its
  /// generic indexing and a key path's projection cost 0.67 G instructions more when the pooling called it too.
  @inlinable
  public static func segment<Segments: Collection>(
    _ segments: Segments, lowerIsBetter: Bool, estimate: (Segments.Element) -> Double
  ) -> Segments.Index? {
    guard segments.count >= 2 else { return nil }
    return segments.indices.max { a, b in
      lowerIsBetter ? estimate(segments[a]) > estimate(segments[b]) : estimate(segments[a]) < estimate(segments[b])
    }
  }
}
