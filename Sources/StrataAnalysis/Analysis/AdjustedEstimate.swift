import StrataStats

/// The ratio or CUPED detail of one comparison: the adjusted and the unadjusted estimate side by side.
///
/// For a metric with a covariate the comparison's own numbers (`Comparison.absoluteLift`, its interval, p, and
/// each arm's `mean` and `standardDeviation`) are the adjusted ones, so the multiple-testing family, the
/// sequential guard, pooling and the decision all work on them unchanged; the unadjusted comparison is kept
/// here. For a ratio metric without a covariate both are the same delta-method comparison.
public struct AdjustedEstimate: Sendable, Hashable {
  /// Whether a covariate adjusted the estimate (CUPED); false for a plain ratio metric.
  public var covariate: Bool
  /// θ of the adjustment, pooled within all arms of the segment (nil without a covariate).
  public var theta: Double?
  /// Control and treatment: the adjusted estimate (ratio or mean) and its variance, with the unadjusted ones.
  public var control: ArmEstimate
  public var treatment: ArmEstimate
  public var adjusted: LiftResult
  public var unadjusted: LiftResult

  /// 1 − adjusted variance / unadjusted variance of the difference (0 without a covariate; negative when a
  /// weak covariate adds a little variance).
  public var varianceReduction: Double { adjusted.varianceReduction }
  /// How many more units (both arms) the unadjusted comparison would need for the adjusted one's precision:
  /// (n_c + n_t)·(unadjusted variance / adjusted variance − 1).
  public var equivalentExtraUnits: Double { adjusted.equivalentExtraUnits }
}

/// One treatment against control over all segments, post-stratified: each segment's difference weighted by its
/// share of units (Miratrix, Sekhon & Yu 2013), the estimate of the effect on the whole population as it splits
/// into segments.
public struct PostStratifiedComparison: Sendable, Hashable {
  public var treatment: String
  /// Treatment − control (the adjusted differences, for a metric with a covariate).
  public var estimate: Double
  public var standardError: Double
  public var interval: ConfidenceInterval
  /// z = estimate / standard error.
  public var statistic: Double
  public var pValue: Double
  /// Per segment (in the order of `segmentsUsed`): its share of the units.
  public var weights: [Double]
  public var segmentsUsed: [String]
  public var notes: [String]

  /// The sentence that says which estimand this is, beside the pooled ones.
  public static let estimand =
    "The post-stratified estimate weights each segment's difference by its share of units: the effect on the whole population. The pooled estimate (inverse-variance or Mantel–Haenszel) weights segments by precision; the two agree only when the effect is the same in every segment."
}

extension AdjustedEstimate {
  /// An immutable box, so that `Comparison` holds one pointer instead of the whole estimate; equal and hashed by
  /// its value.
  final class Box: Sendable, Hashable {
    let value: AdjustedEstimate

    init(_ value: AdjustedEstimate) { self.value = value }

    static func == (lhs: Box, rhs: Box) -> Bool { lhs.value == rhs.value }
    func hash(into hasher: inout Hasher) { hasher.combine(value) }
  }
}
