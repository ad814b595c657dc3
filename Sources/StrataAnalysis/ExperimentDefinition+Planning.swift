import StrataDefinitions
import StrataStats

extension ExperimentDefinition {
  /// The fixed-horizon sample size of the plan for the primary metric, through StrataStats'
  /// ``StrataStats/SampleSizePlan`` (R `power.prop.test` for a binomial metric, `power.t.test` for a continuous one;
  /// alpha Bonferroni-split over the variants − 1 comparisons with control).
  ///
  /// Nil when the plan lacks what that needs (an mde, and a baseline or a standard deviation).
  ///
  /// A sequential plan (looks > 1) still reports the fixed-design n here; its maximum size is
  /// ⌈unrounded n × inflation⌉, computed by the sequential module.
  public func plannedSampleSize() throws(StatsError) -> SampleSize? {
    guard let mde = plan.minimumDetectableEffect else { return nil }
    let primary = metrics.first { $0.role == .primary } ?? metrics.first
    guard
      let sizing = try SampleSizePlan.forMetric(
        primary?.kind ?? .binomial, baseline: plan.baseline, standardDeviation: plan.standardDeviation,
        alpha: plan.alpha, alternative: plan.alternative, variants: experiment.variants.count)
    else { return nil }
    return try sizing.sampleSize(effect: plan.relative ? .relative(mde) : .absolute(mde), power: plan.power)
  }
}
