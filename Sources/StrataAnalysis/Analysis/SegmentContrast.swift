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
/// sums of squares; see `RestArms`), in time linear in the number of segments. Two-sided p from Student's t
/// with ν degrees of freedom (`gsl_cdf_tdist_Q`). Reported beside the per-segment effects when there are at
/// least two segments; with discovered segments these are the confirmatory tests of "this segment responds
/// differently".
///
/// `adjustedPValue` is Holm's adjustment over the segments of one metric × treatment: k segments give k tests of
/// "this one differs from the rest", and at least one of them is small by chance far more often than α.
public struct SegmentContrast: Sendable, Hashable {
  public var treatment: String
  public var segment: String
  /// Δ_s − Δ_rest.
  public var difference: Double
  public var standardError: Double
  public var degreesOfFreedom: Double
  public var statistic: Double
  public var pValue: Double
  /// Holm-adjusted over the contrasts of the same treatment (one per segment with a contrast).
  public var adjustedPValue: Double

  /// Every segment against the rest, per treatment, from a metric's per-segment comparisons.
  ///
  /// Empty with fewer than two segments. A segment (or a rest) with an arm of fewer than 2 units is left out;
  /// a segment with no units in an arm adds nothing to the others' rest.
  public static func contrasts(_ comparisons: [Comparison], segments: [String]) -> [SegmentContrast] {
    guard segments.count >= 2 else { return [] }
    // Per treatment (in order of first appearance), the positions of its per-segment comparisons.
    var treatments: [String] = []
    var positions: [String: [Int]] = [:]
    for (position, comparison) in comparisons.enumerated() where comparison.segment != nil {
      if positions[comparison.treatment] == nil { treatments.append(comparison.treatment) }
      positions[comparison.treatment, default: []].append(position)
    }
    var out: [SegmentContrast] = []
    for treatment in treatments {
      let bySegment = (positions[treatment] ?? []).map { comparisons[$0] }
      let restControls = RestArms.rests(bySegment.map(\.control))
      let restTreatments = RestArms.rests(bySegment.map(\.treatmentArm))
      var found: [SegmentContrast] = []
      for (index, here) in bySegment.enumerated() {
        guard let segment = here.segment, let restControl = restControls[index],
          let restTreatment = restTreatments[index],
          let contrast = contrast(
            treatment: treatment, segment: segment, here: (RestArms.Arm(here.control), RestArms.Arm(here.treatmentArm)),
            rest: (restControl, restTreatment))
        else { continue }
        found.append(contrast)
      }
      // Every p is in [0, 1] (a survival probability, doubled and capped), so the adjustment cannot throw.
      let adjusted = (try? MultipleTestingCorrection.holm.adjust(found.map(\.pValue))) ?? found.map { _ in 1 }
      for (index, contrast) in found.enumerated() {
        var contrast = contrast
        contrast.adjustedPValue = adjusted[index]
        out.append(contrast)
      }
    }
    return out
  }

  /// The contrast of one segment's arms (control, treatment) against the rest's; nil when an arm has fewer
  /// than 2 units, the variance is not positive or the t distribution cannot be evaluated.
  static func contrast(
    treatment: String, segment: String, here: (control: RestArms.Arm, treatment: RestArms.Arm),
    rest: (control: RestArms.Arm, treatment: RestArms.Arm)
  ) -> SegmentContrast? {
    let arms = [here.control, here.treatment, rest.control, rest.treatment]
    guard arms.allSatisfy({ $0.count >= 2 }) else { return nil }
    let terms = arms.map { $0.standardDeviation * $0.standardDeviation / $0.count }
    let variance = terms.reduce(0, +)
    guard variance > 0 && variance.isFinite else { return nil }
    let denominator = zip(terms, arms).map { term, arm in term * term / (arm.count - 1) }.reduce(0, +)
    guard denominator > 0 else { return nil }
    let degreesOfFreedom = variance * variance / denominator
    let difference = (here.treatment.mean - here.control.mean) - (rest.treatment.mean - rest.control.mean)
    let statistic = difference / variance.squareRoot()
    guard let distribution = try? StudentT(degreesOfFreedom: degreesOfFreedom),
      let tail = try? distribution.survival(abs(statistic))
    else { return nil }
    return SegmentContrast(
      treatment: treatment, segment: segment, difference: difference, standardError: variance.squareRoot(),
      degreesOfFreedom: degreesOfFreedom, statistic: statistic, pValue: min(1, 2 * tail),
      adjustedPValue: min(1, 2 * tail))
  }
}
