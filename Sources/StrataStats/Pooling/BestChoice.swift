/// How `analyze` names a variant and then the segment where it works best: the two choices, written once
/// for the decision (`DecisionMaker`, `SegmentPooling.best`) and the simulation that scores the interval
/// quoted for them (`PoolingSimulation` with several variants).
///
/// Tied variants go to the first in order (`max(by:)` keeps the first of equal elements); tied segments name
/// none (`segmentChoice`).
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

  /// The segment where a variant works best: the largest shrunken estimate in the metric's good direction,
  /// when one segment has it alone (`segmentChoice`).
  ///
  /// nil with fewer than two segments (nothing to choose among), and when the largest estimate is tied (no
  /// segment stands out: with τ̂² = 0 every shrunken estimate is μ̂ exactly). Returns an index of `segments`.
  @inlinable
  public static func segment<Segments: Collection>(
    _ segments: Segments, lowerIsBetter: Bool, estimate: (Segments.Element) -> Double
  ) -> Segments.Index? {
    guard case .best(let index) = segmentChoice(segments, lowerIsBetter: lowerIsBetter, estimate: estimate) else {
      return nil
    }
    return index
  }

  /// Whether one segment stands out: the one with the largest shrunken estimate in the good direction when
  /// no other segment has the same estimate, else how many share it.
  ///
  /// A tie at the top names no segment, rather than the first in input order: it is what a fit with τ̂² = 0
  /// gives (every shrunken estimate is the pooled mean μ̂), where naming one would say that segment differs
  /// when the model estimates that none does. The choice `analyze` states (`decision.best_segment`), the
  /// pooling's `best_segment` and the one `strata simulate pooling` scores.
  /// Inlinable, so that each caller gets it specialised: unspecialised, at 20,000 segments × 16 variants its
  /// generic indexing and a key path's projection cost 0.67 G instructions more when the pooling called it too.
  @inlinable
  public static func segmentChoice<Segments: Collection>(
    _ segments: Segments, lowerIsBetter: Bool, estimate: (Segments.Element) -> Double
  ) -> SegmentChoice<Segments.Index> {
    var top: Segments.Index? = nil
    var topValue = 0.0
    var tied = 0
    var count = 0
    for index in segments.indices {
      count += 1
      let value = lowerIsBetter ? -estimate(segments[index]) : estimate(segments[index])
      if top == nil || value > topValue {
        (top, topValue, tied) = (index, value, 1)
      } else if value == topValue {
        tied += 1
      }
    }
    guard count >= 2, let top else { return .fewerThanTwo }
    return tied > 1 ? .tied(tied) : .best(top)
  }

  /// The outcome of `segmentChoice`.
  public enum SegmentChoice<Index> {
    /// The one segment with the largest estimate in the good direction.
    case best(Index)
    /// No segment stands out: this many segments (two or more) share the largest estimate.
    case tied(Int)
    /// Fewer than two segments: nothing to choose among.
    case fewerThanTwo
  }
}

extension BestChoice.SegmentChoice: Sendable where Index: Sendable {}
extension BestChoice.SegmentChoice: Equatable where Index: Equatable {}
