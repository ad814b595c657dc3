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
    // By position, reading fields in place (enumerating the comparisons copied each one whole).
    var slots = TreatmentSlots()
    var positions: [[Int]] = []
    for position in comparisons.indices where comparisons[position].segment != nil {
      let slot = slots.slot(adding: comparisons[position].treatment)
      if slot == positions.count { positions.append([]) }
      positions[slot].append(position)
    }
    var out: [SegmentContrast] = []
    out.reserveCapacity(positions.reduce(0) { $0 + $1.count })
    for (slot, treatment) in slots.names.enumerated() {
      // Only the arms are read: a copy of each whole comparison (names, notes, the Bayesian summary) cost more
      // than the contrasts at 20,000 segments.
      let bySegment = positions[slot]
      let restControls = RestArms.rests(bySegment.map { comparisons[$0].control })
      let restTreatments = RestArms.rests(bySegment.map { comparisons[$0].treatmentArm })
      var found: [SegmentContrast] = []
      found.reserveCapacity(bySegment.count)
      for (index, position) in bySegment.enumerated() {
        guard let segment = comparisons[position].segment, let restControl = restControls[index],
          let restTreatment = restTreatments[index],
          let contrast = contrast(
            treatment: treatment, segment: segment,
            here: (RestArms.Arm(comparisons[position].control), RestArms.Arm(comparisons[position].treatmentArm)),
            rest: (restControl, restTreatment))
        else { continue }
        found.append(contrast)
      }
      // Every p is in [0, 1] (a survival probability, doubled and capped), so the adjustment cannot throw.
      let adjusted = (try? MultipleTestingCorrection.holm.adjust(found.map(\.pValue))) ?? found.map { _ in 1 }
      // In place, then appended together: a copy of each contrast out of `found` and another into `out` cost about
      // 15 M instructions at 20,000 segments × 3 variants.
      for index in found.indices { found[index].adjustedPValue = adjusted[index] }
      out.append(contentsOf: found)
    }
    return out
  }

  /// The contrast of one segment's arms (control, treatment) against the rest's; nil when an arm has fewer
  /// than 2 units, the variance is not positive or the t distribution cannot be evaluated.
  static func contrast(
    treatment: String, segment: String, here: (control: RestArms.Arm, treatment: RestArms.Arm),
    rest: (control: RestArms.Arm, treatment: RestArms.Arm)
  ) -> SegmentContrast? {
    // The four arms in a fixed order, summed left to right from 0 (as `reduce(0, +)` would), without an array
    // per contrast.
    let arms = (here.control, here.treatment, rest.control, rest.treatment)
    guard arms.0.count >= 2, arms.1.count >= 2, arms.2.count >= 2, arms.3.count >= 2 else { return nil }
    func term(_ arm: RestArms.Arm) -> Double { arm.standardDeviation * arm.standardDeviation / arm.count }
    let terms = (term(arms.0), term(arms.1), term(arms.2), term(arms.3))
    let variance = 0 + terms.0 + terms.1 + terms.2 + terms.3
    guard variance > 0 && variance.isFinite else { return nil }
    func share(_ term: Double, _ arm: RestArms.Arm) -> Double { term * term / (arm.count - 1) }
    // ν does not change when every term is scaled alike, and the squares overflow (terms from about 1e154) or
    // vanish (below about 1e-154) out there: beyond [1e-150, 1e150] they are scaled by the power of two that
    // brings the largest to [1, 2), as `WelchTTest`'s ν is (exact: ν is then the direct sums' ν of the same
    // numbers at an ordinary magnitude, bit for bit); inside, the direct sums.
    let largest = max(max(terms.0, terms.1), max(terms.2, terms.3))
    let rescaled = largest > 1e150 || largest < 1e-150
    let scale = PowerOfTwoScale(exponent: rescaled ? Int(largest.exponent) : 0)
    let scaled = rescaled ? (scale.down(terms.0), scale.down(terms.1), scale.down(terms.2), scale.down(terms.3)) : terms
    let total = rescaled ? 0 + scaled.0 + scaled.1 + scaled.2 + scaled.3 : variance
    let denominator =
      0 + share(scaled.0, arms.0) + share(scaled.1, arms.1) + share(scaled.2, arms.2) + share(scaled.3, arms.3)
    guard denominator > 0 else { return nil }
    let degreesOfFreedom = total * total / denominator
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
