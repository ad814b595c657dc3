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
    let metric: PlanMetric
    switch primary?.kind ?? .binomial {
    case .binomial:
      guard let baseline = plan.baseline else { return nil }
      metric = .proportion(baseline: baseline)
    case .continuous:
      guard let sd = plan.standardDeviation else { return nil }
      metric = .mean(standardDeviation: sd, baseline: plan.baseline)
    }
    let sizing = try SampleSizePlan(
      metric: metric, alpha: plan.alpha, alternative: plan.alternative, variants: experiment.variants.count)
    return try sizing.sampleSize(effect: plan.relative ? .relative(mde) : .absolute(mde), power: plan.power)
  }
}
