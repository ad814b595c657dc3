import Foundation

/// What one look knows: the cumulative estimate of the difference (treatment − control) and its
/// variance, from all data up to that look.
///
/// ```
/// continuous  θ̂ = x̄_b − x̄ₐ,   v = sₐ²/nₐ + s_b²/n_b
/// binomial    θ̂ = p̂_b − p̂ₐ,   v = p̂ₐ(1 − p̂ₐ)/nₐ + p̂_b(1 − p̂_b)/n_b   (unpooled)
/// ```
/// z = θ̂/√v is the statistic compared with group-sequential boundaries.
public struct CumulativeEstimate: Sendable, Hashable, Codable {
  /// θ̂, treatment − control.
  public var estimate: Double
  /// Var(θ̂) > 0.
  public var variance: Double

  /// Validates: finite estimate, finite positive variance.
  public init(estimate: Double, variance: Double) throws(StatsError) {
    try StatsError.require(estimate.isFinite, "estimate", "must be finite, got \(estimate)")
    try StatsError.require(
      variance > 0 && variance.isFinite, "variance",
      "must be finite and positive (the look needs some spread in the data), got \(variance)")
    self.estimate = estimate
    self.variance = variance
  }

  /// From the summaries of a continuous metric (Welch's variance of the difference in means).
  public init(control: SampleSummary, treatment: SampleSummary) throws(StatsError) {
    try self.init(
      estimate: treatment.mean - control.mean,
      variance: control.variance / control.count + treatment.variance / treatment.count)
  }

  /// From conversions of a binary metric (unpooled variance of the difference in rates).
  public init(control: BinomialSummary, treatment: BinomialSummary) throws(StatsError) {
    let a = control.rate
    let b = treatment.rate
    try self.init(
      estimate: b - a, variance: a * (1 - a) / control.trials + b * (1 - b) / treatment.trials)
  }

  /// Standard error √v.
  public var standardError: Double { variance.squareRoot() }
  /// z = θ̂/√v.
  public var z: Double { estimate / variance.squareRoot() }
}
