/// One arm's estimate of a metric: the (adjusted) value and the variance of that estimate, beside the
/// unadjusted ones (equal when no covariate is used).
public struct ArmEstimate: Sendable, Hashable, Codable {
  /// Units in the arm.
  public var count: Double
  /// The estimate (covariate-adjusted when a covariate is used).
  public var estimate: Double
  /// Var(estimate): the per-unit variance of the linearized value over n.
  public var variance: Double
  public var unadjustedEstimate: Double
  public var unadjustedVariance: Double

  public init(count: Double, estimate: Double, variance: Double, unadjustedEstimate: Double, unadjustedVariance: Double)
  {
    self.count = count
    self.estimate = estimate
    self.variance = variance
    self.unadjustedEstimate = unadjustedEstimate
    self.unadjustedVariance = unadjustedVariance
  }

  /// √variance.
  public var standardError: Double { variance.squareRoot() }

  /// The same arm without its adjustment.
  public var unadjusted: ArmEstimate {
    ArmEstimate(
      count: count, estimate: unadjustedEstimate, variance: unadjustedVariance, unadjustedEstimate: unadjustedEstimate,
      unadjustedVariance: unadjustedVariance)
  }
}
