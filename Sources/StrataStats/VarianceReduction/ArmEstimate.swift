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

  /// The arm of a computation rescaled by a power of two (`MomentMatrix.rescaled(by:)`) in the caller's scale.
  ///
  /// The estimates times 2^`degree`, the variances times 2^(2·`degree`). One that is not 0 but lands beyond the largest
  /// double or among the subnormals (where a double keeps fewer digits) is refused: `metric` names the estimate and
  /// says what to do (`DeltaMetric.advice`).
  func scaled(by degree: Int, metric: DeltaMetric) throws(StatsError) -> ArmEstimate {
    func up(_ x: Double, _ p: Int, _ name: String) throws(StatsError) -> Double {
      let y = PowerOfTwoScale.times(x, powerOfTwo: p)
      guard x == 0 || (y.isFinite && abs(y) >= .leastNormalMagnitude) else {
        let exponent = Int(x.exponent) + p
        throw StatsError.invalidInput(
          field: metric == .ratio ? "ratio" : "mean",
          message:
            "its \(name) (about 2^\(exponent)) is \(exponent > 0 ? "above the largest double (1.8e308)" : "below 2.2e-308, where a double keeps fewer digits"); "
            + metric.advice(tooLarge: exponent > 0))
      }
      return y
    }
    return ArmEstimate(
      count: count, estimate: try up(estimate, degree, "estimate"), variance: try up(variance, 2 * degree, "variance"),
      unadjustedEstimate: try up(unadjustedEstimate, degree, "estimate"),
      unadjustedVariance: try up(unadjustedVariance, 2 * degree, "variance"))
  }

  /// The same arm without its adjustment.
  public var unadjusted: ArmEstimate {
    ArmEstimate(
      count: count, estimate: unadjustedEstimate, variance: unadjustedVariance, unadjustedEstimate: unadjustedEstimate,
      unadjustedVariance: unadjustedVariance)
  }
}
