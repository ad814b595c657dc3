import Foundation
import StrataStats

/// Units per arm a segment needs to detect the plan's minimum effect, for marking underpowered segments.
///
/// Each segment is analysed on its own, so each needs the plan's n per variant. When the definition
/// records `n_per_variant` that number is used; otherwise it is computed for the primary metric with the
/// normal approximation (α Bonferroni-split over the K − 1 treatment comparisons, as `strata plan` does):
/// ```
/// binomial:   n = (z_α √(2 p̄ (1 − p̄)) + z_β √(p₁(1 − p₁) + p₂(1 − p₂)))² / δ²,  p₂ = p₁ + δ, p̄ = (p₁ + p₂)/2
/// continuous: n = 2 (z_α + z_β)² σ² / δ²
/// ```
/// with the plan's baseline (else the observed control rate) and standard deviation (else the observed
/// control standard deviation). The continuous formula is a little below the noncentral-t answer of
/// `power.t.test` (by about 1 unit for n > 30), which is immaterial for flagging a segment.
struct PlannedSampleSize {
  let plan: AnalysisPlan

  func unitsPerVariant(metric: Int, statistics: SufficientStatistics) -> Int? {
    guard metric == plan.primaryMetricIndex else { return nil }
    if let planned = plan.plannedUnitsPerVariant { return planned }
    guard let delta = plan.minimumDetectableEffect, delta > 0 else { return nil }
    let comparisons = Double(max(1, plan.variants.count - 1))
    let alpha = plan.alpha / comparisons
    guard let zAlpha = try? Normal.inverseSurvival(alpha / Double(plan.alternative.sides)),
      let zBeta = try? Normal.inverseSurvival(1 - plan.power)
    else { return nil }
    let control = statistics.metric(metric, variant: plan.controlIndex)
    var n: Double
    if plan.metrics[metric].kind == .binomial {
      guard let p1 = plan.baseline ?? (control.count > 0 ? control.moments.mean : nil), p1 > 0, p1 < 1 else {
        return nil
      }
      let p2 = min(max(p1 + delta, 1e-9), 1 - 1e-9)
      let mean = (p1 + p2) / 2
      let root = zAlpha * (2 * mean * (1 - mean)).squareRoot() + zBeta * (p1 * (1 - p1) + p2 * (1 - p2)).squareRoot()
      n = root * root / (delta * delta)
    } else {
      guard let sd = plan.standardDeviation ?? (control.count > 1 ? control.moments.standardDeviation : nil), sd > 0
      else { return nil }
      n = 2 * (zAlpha + zBeta) * (zAlpha + zBeta) * sd * sd / (delta * delta)
    }
    guard n.isFinite, n < 1e12 else { return nil }
    return Int(n.rounded(.up))
  }
}
