/// Pearson's chi-squared goodness-of-fit test, used as the sample-ratio-mismatch (SRM) check.
///
/// ```
/// E_i = N · w_i / Σ w,   N = Σ O_i
/// χ² = Σ (O_i − E_i)² / E_i,   ν = k − 1,   p = Q_χ²(χ², ν)
/// ```
/// Weights are the planned allocation on any scale (`[50, 50]`, `[1, 1]` and `[0.2, 0.2]` agree); equal when
/// omitted. Matches `scipy.stats.chisquare(observed, f_exp=expected)`. The p-value is GSL's upper tail
/// `gsl_cdf_chisq_Q`, so a gross mismatch reports p ≈ 1e-200 rather than 0. See [Fabijan et al. 2019] for
/// why SRM checks matter in online experiments.
///
/// [Fabijan et al. 2019]: https://doi.org/10.1145/3292500.3330722
///
/// > A. Fabijan et al. "Diagnosing sample ratio mismatch in online controlled experiments." KDD 2019.
public struct ChiSquaredGoodnessOfFitTest: Sendable, Hashable {
  public var observed: [Double]
  /// The planned weights as given (any scale).
  public var weights: [Double]

  /// Validates: at least 2 categories, whole non-negative counts with a positive total, and (if given) as
  /// many finite positive weights.
  public init(observed: [Double], weights: [Double]? = nil) throws(StatsError) {
    try StatsError.require(observed.count >= 2, "observed", "needs at least 2 variants, got \(observed.count)")
    for (i, x) in observed.enumerated() {
      try StatsError.requireCount(x, "observed[\(i + 1)]")
    }
    try StatsError.require(observed.reduce(0, +) > 0, "observed", "sums to 0, so there is nothing to test")
    let weights = weights ?? [Double](repeating: 1, count: observed.count)
    try StatsError.require(
      weights.count == observed.count, "weights",
      "has \(weights.count) entries but observed has \(observed.count)")
    for (i, w) in weights.enumerated() {
      try StatsError.require(w.isFinite && w > 0, "weights[\(i + 1)]", "must be finite and > 0, got \(w)")
    }
    let total = weights.reduce(0, +)
    try StatsError.require(total.isFinite, "weights", "sum to \(total)")
    self.observed = observed
    self.weights = weights
  }

  /// The planned allocation w_i / Σ w.
  public var proportions: [Double] {
    let weightTotal = weights.reduce(0, +)
    return weights.map { $0 / weightTotal }
  }

  /// The expected counts N · w_i / Σ w (computed in that order, as scipy users do).
  public var expected: [Double] {
    let total = observed.reduce(0, +)
    let weightTotal = weights.reduce(0, +)
    return weights.map { total * $0 / weightTotal }
  }

  public func result() throws(StatsError) -> ChiSquaredResult {
    let expected = self.expected
    var statistic = 0.0
    for (o, e) in zip(observed, expected) {
      let deviation = o - e
      statistic += deviation * deviation / e
    }
    let degreesOfFreedom = Double(observed.count - 1)
    guard statistic.isFinite else {
      throw .numerical(routine: "ChiSquaredGoodnessOfFitTest.result", status: 0, message: "χ² is \(statistic)")
    }
    let pValue = try ChiSquared(degreesOfFreedom: degreesOfFreedom).survival(statistic)
    return ChiSquaredResult(
      test: TestResult(statistic: statistic, pValue: pValue, alternative: .greater),
      degreesOfFreedom: degreesOfFreedom, expected: [expected])
  }
}
