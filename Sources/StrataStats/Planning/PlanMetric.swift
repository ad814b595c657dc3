/// What an experiment measures, for sample-size planning.
public enum PlanMetric: Sendable, Hashable {
  /// A conversion rate (a proportion of units that convert) whose control rate is `baseline`, 0 < baseline < 1.
  case proportion(baseline: Double)
  /// A mean with a common per-unit standard deviation in both arms. `baseline` (the control mean) is needed
  /// only to turn a relative effect into an absolute one.
  case mean(standardDeviation: Double, baseline: Double? = nil)
}

/// The smallest effect worth detecting, treatment − control.
public enum EffectSize: Sendable, Hashable {
  /// In the metric's units: +0.01 is one percentage point on a rate, +2.5 is 2.5 units on a mean.
  case absolute(Double)
  /// A fraction of the baseline: +0.10 is a 10% lift (treatment = baseline × 1.10).
  case relative(Double)
}
