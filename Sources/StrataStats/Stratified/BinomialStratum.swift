/// One stratum (segment) of a two-arm binary outcome: the 2×2 table of successes and trials per arm.
public struct BinomialStratum: Sendable, Hashable, Codable {
  public var control: BinomialSummary
  public var treatment: BinomialSummary

  public init(control: BinomialSummary, treatment: BinomialSummary) {
    self.control = control
    self.treatment = treatment
  }

  /// Units in both arms, N = n₁ + n₀.
  public var total: Double { control.trials + treatment.trials }
  /// Successes in both arms, m₁ = a + c.
  public var successes: Double { control.successes + treatment.successes }
  /// Failures in both arms, m₀ = b + d.
  public var failures: Double { total - successes }
  /// Treatment rate minus control rate.
  public var riskDifference: Double { treatment.rate - control.rate }
  /// The unpooled (Wald) variance of the risk difference, p₁(1 − p₁)/n₁ + p₀(1 − p₀)/n₀.
  public var riskDifferenceVariance: Double {
    let p1 = treatment.rate
    let p0 = control.rate
    return p1 * (1 - p1) / treatment.trials + p0 * (1 - p0) / control.trials
  }

  /// Whether a cell of the 2×2 table (successes or failures in either arm) is zero.
  public var hasZeroCell: Bool {
    control.successes == 0 || treatment.successes == 0 || control.successes == control.trials
      || treatment.successes == treatment.trials
  }

  /// The risk difference and its Wald variance for heterogeneity statistics: a table with a zero cell gets
  /// ½ added to each of its four cells first (Haldane–Anscombe), as R metafor's `escalc` does by default
  /// (`add = 1/2, to = "only0"`), so that such a stratum keeps a positive variance.
  public var correctedRiskDifference: (estimate: Double, variance: Double) {
    guard hasZeroCell else { return (riskDifference, riskDifferenceVariance) }
    let n1 = treatment.trials + 1, n0 = control.trials + 1
    let p1 = (treatment.successes + 0.5) / n1, p0 = (control.successes + 0.5) / n0
    return (p1 - p0, p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
  }
}
