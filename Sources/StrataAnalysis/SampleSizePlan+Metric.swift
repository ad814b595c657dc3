import StrataDefinitions
import StrataStats

extension SampleSizePlan {
  /// The sizing of a metric of `kind`: a rate for a 0/1 metric (needs `baseline`), a mean otherwise (needs
  /// `standardDeviation`, a ratio's per-unit delta-method one; `baseline` serves relative effects); nil when the
  /// number it needs is missing.
  ///
  /// The one place a plan's numbers become a sample size: the definition's planned n
  /// (``StrataDefinitions/ExperimentDefinition/plannedSampleSize()``) and each segment's n in the analysis
  /// (`PlannedSampleSize`, which falls back on the observed control) both come through here, and so through
  /// R's `power.prop.test` / `power.t.test` (alpha split over the variants − 1 comparisons).
  static func forMetric(
    _ kind: Metric.Kind, baseline: Double?, standardDeviation: Double?, alpha: Double, alternative: Alternative,
    variants: Int
  ) throws(StatsError) -> SampleSizePlan? {
    let metric: PlanMetric
    switch kind {
    case .binomial:
      guard let baseline else { return nil }
      metric = .proportion(baseline: baseline)
    case .continuous, .ratio:
      // A ratio's standard deviation is the per-unit delta-method one (`strata plan --metric ratio` prints it).
      guard let standardDeviation else { return nil }
      metric = .mean(standardDeviation: standardDeviation, baseline: baseline)
    }
    return try SampleSizePlan(metric: metric, alpha: alpha, alternative: alternative, variants: variants)
  }
}
