/// Student's equal-variances two-sample t test on summary statistics.
///
/// ```
/// s_p² = ((n_a − 1)s_a² + (n_b − 1)s_b²) / (n_a + n_b − 2)
/// t = (x̄_b − x̄_a) / (s_p √(1/n_a + 1/n_b)),   ν = n_a + n_b − 2
/// interval: (x̄_b − x̄_a) ± t_{ν, 1−α/2} · s_p √(1/n_a + 1/n_b)
/// ```
/// Standard deviations are sample ones (ddof = 1). Treatment minus control; matches
/// `scipy.stats.ttest_ind_from_stats(b…, a…, equal_var=True)`. Prefer `WelchTTest` unless the variances are
/// known to be equal: with unequal arms and variances this test's size is wrong. See [Student 1908].
///
/// [Student 1908]: https://doi.org/10.1093/biomet/6.1.1
///
/// > Student. "The probable error of a mean." *Biometrika* 6 (1908), 1–25.
public struct StudentTTest: Sendable, Hashable {
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

  public func result() throws(StatsError) -> TTestResult {
    if let scale = TwoSampleT.scale(control, treatment) {
      var test = self
      test.control = try control.scaled(scale)
      test.treatment = try treatment.scaled(scale)
      return try test.unscaledResult().scaled(by: scale)
    }
    return try unscaledResult()
  }

  private func unscaledResult() throws(StatsError) -> TTestResult {
    let degreesOfFreedom = control.count + treatment.count - 2
    let pooledVariance =
      ((control.count - 1) * control.variance + (treatment.count - 1) * treatment.variance) / degreesOfFreedom
    let standardError = (pooledVariance * (1 / control.count + 1 / treatment.count)).squareRoot()
    return try TwoSampleT.result(
      control: control, treatment: treatment, standardError: standardError,
      degreesOfFreedom: degreesOfFreedom, alternative: alternative, confidenceLevel: confidenceLevel)
  }
}
