import Foundation
import StrataStats

/// Units per arm a segment needs to detect the plan's minimum effect, for marking underpowered segments.
///
/// Each segment is analysed on its own, so each needs the plan's n per variant. When the definition
/// records `n_per_variant` (or its plan computes one) that number is used; otherwise it is computed for the
/// primary metric as `strata plan` does (``StrataStats/SampleSizePlan``: R `power.prop.test` /
/// `power.t.test`, α Bonferroni-split over the K − 1 treatment comparisons), with the plan's baseline (else
/// the observed control rate or mean) and standard deviation (else the observed control standard deviation).
/// A ratio metric, or one with a covariate, is sized as a mean with the per-unit standard deviation of its
/// (CUPED-adjusted) estimate, so the underpowered flags reflect the variance the adjustment removed.
struct PlannedSampleSize {
  let plan: AnalysisPlan

  /// Units per arm for `metric` (nil when it is not the primary metric or the plan cannot tell).
  ///
  /// For a ratio metric or one with a covariate, `unitStandardDeviation` is the per-unit standard deviation of the
  /// (adjusted) estimate, √(n · Var) of the control arm over all segments, which replaces the plan's (unadjusted)
  /// standard deviation in a mean's sizing: the flags then use the adjusted variance.
  func unitsPerVariant(metric: Int, statistics: SufficientStatistics, unitStandardDeviation: Double? = nil) -> Int? {
    guard metric == plan.primaryMetricIndex else { return nil }
    if let planned = plan.plannedUnitsPerVariant { return planned }
    guard let delta = plan.minimumDetectableEffect, delta > 0 else { return nil }
    if plan.metrics[metric].needsJointMoments {
      let sizing = try? SampleSizePlan.forMetric(
        .continuous, baseline: plan.baseline, standardDeviation: unitStandardDeviation ?? plan.standardDeviation,
        alpha: plan.alpha, alternative: plan.alternative, variants: plan.variants.count)
      return (try? sizing?.sampleSize(effect: .absolute(delta), power: plan.power))?.perVariant
    }
    let control = statistics.metric(plan.valueColumn(metric: metric), variant: plan.controlIndex)
    let sizing = try? SampleSizePlan.forMetric(
      plan.metrics[metric].kind, baseline: plan.baseline ?? (control.count > 0 ? control.moments.mean : nil),
      standardDeviation: plan.standardDeviation ?? (control.count > 1 ? control.moments.standardDeviation : nil),
      alpha: plan.alpha, alternative: plan.alternative, variants: plan.variants.count)
    return (try? sizing?.sampleSize(effect: .absolute(delta), power: plan.power))?.perVariant
  }
}
