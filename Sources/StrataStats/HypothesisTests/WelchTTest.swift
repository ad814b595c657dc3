/// Welch's unequal-variances two-sample t test on summary statistics.
///
/// ```
/// t = (x̄_b − x̄_a) / √(s_a²/n_a + s_b²/n_b)
/// ν = (s_a²/n_a + s_b²/n_b)² / ((s_a²/n_a)²/(n_a − 1) + (s_b²/n_b)²/(n_b − 1))
/// interval: (x̄_b − x̄_a) ± t_{ν, 1−α/2} · √(s_a²/n_a + s_b²/n_b)
/// ```
/// Standard deviations are sample ones (ddof = 1). Treatment minus control; matches
/// `scipy.stats.ttest_ind_from_stats(b…, a…, equal_var=False)` (scipy puts its first sample first, so
/// calling it as (a, b) flips the sign). The relative lift x̄_b/x̄_a − 1 uses the delta method with a normal
/// quantile. See [Welch 1947].
///
/// [Welch 1947]: https://doi.org/10.1093/biomet/34.1-2.28
///
/// > B. L. Welch. "The generalization of 'Student's' problem when several different population variances are
/// > involved." *Biometrika* 34 (1947), 28–35.
public struct WelchTTest: Sendable, Hashable {
  public var control: SampleSummary
  public var treatment: SampleSummary
  public var alternative: Alternative
  public var confidenceLevel: Double

  /// Validates: n ≥ 2 in each arm, not both standard deviations 0, 0 < confidenceLevel < 1.
  public init(
    control: SampleSummary, treatment: SampleSummary, alternative: Alternative = .twoSided,
    confidenceLevel: Double = 0.95
  ) throws(StatsError) {
    try TwoSampleT.validate(control: control, treatment: treatment)
    self.control = control
    self.treatment = treatment
    self.alternative = alternative
    self.confidenceLevel = try Alternative.validatedConfidenceLevel(confidenceLevel)
  }

  /// Summarizes raw samples (Welford) and builds the test.
  public init(
    control: [Double], treatment: [Double], alternative: Alternative = .twoSided, confidenceLevel: Double = 0.95
  ) throws(StatsError) {
    try self.init(
      control: SampleSummary(values: control), treatment: SampleSummary(values: treatment),
      alternative: alternative, confidenceLevel: confidenceLevel)
  }

  public func result() throws(StatsError) -> TTestResult { try result(normalCritical: nil) }

  /// `result()` with the normal critical value of the relative lift's interval given.
  ///
  /// `normalCritical` is `alternative`'s `Normal.inverseSurvival` at `confidenceLevel`, which depends on nothing
  /// else (a comparison per segment asked GSL for it again each time); nil computes it here.
  public func result(normalCritical: Double?) throws(StatsError) -> TTestResult {
    if let scale = TwoSampleT.scale(control, treatment) {
      var test = self
      test.control = try control.scaled(scale)
      test.treatment = try treatment.scaled(scale)
      return try test.unscaledResult(normalCritical: normalCritical).scaled(by: scale)
    }
    return try unscaledResult(normalCritical: normalCritical)
  }

  private func unscaledResult(normalCritical: Double?) throws(StatsError) -> TTestResult {
    let controlTerm = control.variance / control.count
    let treatmentTerm = treatment.variance / treatment.count
    let varianceOfDifference = controlTerm + treatmentTerm
    let degreesOfFreedom = TwoSampleT.welchDegreesOfFreedom(
      controlTerm, control.count, treatmentTerm, treatment.count)
    return try TwoSampleT.result(
      control: control, treatment: treatment, standardError: varianceOfDifference.squareRoot(),
      degreesOfFreedom: degreesOfFreedom, alternative: alternative, confidenceLevel: confidenceLevel,
      normalCritical: normalCritical)
  }
}
