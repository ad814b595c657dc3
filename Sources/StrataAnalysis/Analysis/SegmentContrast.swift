import StrataStats

/// One segment's effect against the effect in every other segment pooled ("the rest"), for one treatment: does the
/// treatment work differently here? Statsig calls this the differential-impact check.
///
/// ```
/// Δ_s    = x̄_t,s − x̄_c,s,            v_s    = s²_t,s/n_t,s + s²_c,s/n_c,s
/// Δ_rest = x̄_t,rest − x̄_c,rest,      v_rest = s²_t,rest/n_t,rest + s²_c,rest/n_c,rest
/// t = (Δ_s − Δ_rest) / √(v_s + v_rest),   ν = (Σ s²/n)² / Σ (s²/n)²/(n − 1)   (Welch–Satterthwaite, four arms)
/// ```
/// The rest's arms merge the other segments' arm summaries exactly (pooled mean and the within plus between
/// sums of squares). Two-sided p from Student's t with ν degrees of freedom (`gsl_cdf_tdist_Q`). Reported
/// beside the per-segment effects when there are at least two segments; with discovered segments these are the
/// confirmatory tests of "this segment responds differently".
public struct SegmentContrast: Sendable, Hashable {
  public var treatment: String
  public var segment: String
  /// Δ_s − Δ_rest.
  public var difference: Double
  public var standardError: Double
  public var degreesOfFreedom: Double
  public var statistic: Double
  public var pValue: Double

  /// Every segment against the rest, per treatment, from a metric's per-segment comparisons.
  ///
  /// Empty with fewer than two segments. A segment (or a rest) with an arm of fewer than 2 units is left out.
  public static func contrasts(_ comparisons: [Comparison], segments: [String]) -> [SegmentContrast] {
    guard segments.count >= 2 else { return [] }
    var out: [SegmentContrast] = []
    let treatments = comparisons.filter { $0.segment != nil }.map(\.treatment).reduce(into: [String]()) {
      if !$0.contains($1) { $0.append($1) }
    }
    for treatment in treatments {
      let bySegment = comparisons.filter { $0.treatment == treatment && $0.segment != nil }
      for here in bySegment {
        guard let segment = here.segment else { continue }
        let rest = bySegment.filter { $0.segment != segment }
        guard !rest.isEmpty,
          let restControl = merge(rest.map(\.control)), let restTreatment = merge(rest.map(\.treatmentArm))
        else { continue }
        let arms = [here.control, here.treatmentArm, restControl, restTreatment]
        guard arms.allSatisfy({ $0.count >= 2 }) else { continue }
        let terms = arms.map { $0.standardDeviation * $0.standardDeviation / $0.count }
        let variance = terms.reduce(0, +)
        guard variance > 0 && variance.isFinite else { continue }
        let denominator = zip(terms, arms).map { term, arm in term * term / (arm.count - 1) }.reduce(0, +)
        guard denominator > 0 else { continue }
        let degreesOfFreedom = variance * variance / denominator
        let difference =
          (here.treatmentArm.mean - here.control.mean) - (restTreatment.mean - restControl.mean)
        let statistic = difference / variance.squareRoot()
        guard let distribution = try? StudentT(degreesOfFreedom: degreesOfFreedom),
          let tail = try? distribution.survival(abs(statistic))
        else { continue }
        out.append(
          SegmentContrast(
            treatment: treatment, segment: segment, difference: difference, standardError: variance.squareRoot(),
            degreesOfFreedom: degreesOfFreedom, statistic: statistic, pValue: min(1, 2 * tail)))
      }
    }
    return out
  }

  /// Arm summaries merged exactly: total count, pooled mean, and the standard deviation of all values together
  /// (within sums of squares plus between-mean terms, divisor n − 1).
  static func merge(_ arms: [ArmSummary]) -> ArmSummary? {
    let count = arms.reduce(0) { $0 + $1.count }
    guard count > 0, let first = arms.first else { return nil }
    let mean = arms.reduce(0) { $0 + $1.count * $1.mean } / count
    var squares = 0.0
    for arm in arms {
      squares += (arm.count - 1) * arm.standardDeviation * arm.standardDeviation
      squares += arm.count * (arm.mean - mean) * (arm.mean - mean)
    }
    return ArmSummary(
      variant: first.variant, count: count, missing: arms.reduce(0) { $0 + $1.missing }, mean: mean,
      standardDeviation: count > 1 ? (max(squares, 0) / (count - 1)).squareRoot() : 0,
      successes: arms.allSatisfy { $0.successes != nil } ? arms.reduce(0) { $0 + ($1.successes ?? 0) } : nil)
  }
}
