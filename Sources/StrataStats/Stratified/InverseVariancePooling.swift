/// The fixed-effect (inverse-variance) pooled estimate of per-stratum effects, with Cochran's Q and I².
///
/// ```
/// wₖ = 1 / vₖ,   θ̂ = Σ wₖ yₖ / Σ wₖ,   se = 1 / √Σ wₖ,   z = θ̂ / se
/// ```
/// Each yₖ is a per-segment difference (treatment − control, e.g. Welch's mean difference) and vₖ its
/// variance (sₜ²/nₜ + s_c²/n_c). The pooled estimate answers "what is the average effect, weighting each
/// segment by its precision"; Q and I² say whether one number describes the segments. Matches R metafor 3.8
/// `rma(yi, vi, method = "EE")`. See [Borenstein et al. 2009], ch. 11 and 16.
///
/// [Borenstein et al. 2009]: https://doi.org/10.1002/9780470743386
///
/// > M. Borenstein, L. V. Hedges, J. P. T. Higgins, H. R. Rothstein. *Introduction to Meta-Analysis*
/// > (Wiley, 2009).
public struct InverseVariancePooling: Sendable, Hashable {
  public var estimates: [Double]
  public var variances: [Double]
  public var alternative: Alternative
  public var confidenceLevel: Double

  public init(
    estimates: [Double], variances: [Double], alternative: Alternative = .twoSided, confidenceLevel: Double = 0.95
  ) throws(StatsError) {
    try StatsError.require(!estimates.isEmpty, "estimates", "needs at least one stratum")
    try StatsError.require(
      estimates.count == variances.count, "variances",
      "needs one per estimate (\(estimates.count)), got \(variances.count)")
    for (index, (y, v)) in zip(estimates, variances).enumerated() {
      try StatsError.require(y.isFinite, "estimates[\(index)]", "must be finite, got \(y)")
      try StatsError.require(v > 0 && v.isFinite, "variances[\(index)]", "must be positive and finite, got \(v)")
    }
    _ = try Alternative.validatedConfidenceLevel(confidenceLevel, field: "confidence level")
    self.estimates = estimates
    self.variances = variances
    self.alternative = alternative
    self.confidenceLevel = confidenceLevel
  }

  /// The pooled estimate, its test and Cochran's Q.
  ///
  /// Estimates and variances of any magnitude pool exactly: they are rescaled by a power of two when the smallest
  /// standard error lies outside 2^±100 (`PowerOfTwoScale`), where 1/vₖ would overflow or lose digits.
  public func result() throws(StatsError) -> PooledResult {
    let scale = PowerOfTwoScale(variances: variances)
    guard !scale.isIdentity else { return try Self.pool(estimates, variances, alternative, confidenceLevel) }
    var result = try Self.pool(
      estimates.map(scale.down), variances.map(scale.downVariance), alternative, confidenceLevel)
    result.estimate = scale.up(result.estimate)
    result.standardError = scale.up(result.standardError)
    result.interval = scale.up(result.interval)
    return result
  }

  private static func pool(
    _ estimates: [Double], _ variances: [Double], _ alternative: Alternative, _ confidenceLevel: Double
  ) throws(StatsError) -> PooledResult {
    var weightSum = 0.0, weighted = 0.0
    for (y, v) in zip(estimates, variances) {
      weightSum += 1 / v
      weighted += y / v
    }
    let estimate = weighted / weightSum
    let standardError = (1 / weightSum).squareRoot()
    let z = estimate / standardError
    let test = TestResult(
      statistic: z, pValue: try MantelHaenszelTest.normalPValue(z, alternative), alternative: alternative)
    let interval = try MantelHaenszelTest.normalInterval(estimate, standardError, alternative, confidenceLevel)
    let heterogeneity = try Heterogeneity.cochranQ(estimates: estimates, variances: variances, pooled: estimate)
    return PooledResult(
      estimate: estimate, standardError: standardError, interval: interval, test: test, heterogeneity: heterogeneity)
  }
}

/// A pooled estimate across strata with its test and heterogeneity.
public struct PooledResult: Sendable, Hashable, Codable {
  public var estimate: Double
  public var standardError: Double
  public var interval: ConfidenceInterval
  public var test: TestResult
  public var heterogeneity: Heterogeneity
}
