/// The post-stratified overall effect: per-segment effects weighted by each segment's share of the units,
/// with the conditional variance of Miratrix, Sekhon & Yu (2013).
///
/// ```
/// wₖ = Nₖ/N        τ̂_PS = Σ wₖ·(m_{k,b} − m_{k,a})        Var(τ̂_PS | W) ≈ Σ wₖ²·(V_{k,b} + V_{k,a})
/// ```
/// Nₖ counts segment k's units in both arms; V are the arms' variances of their estimates (s²/n for a mean,
/// the delta-method or CUPED variance for ratio and adjusted metrics, `ArmEstimate.variance`). This is
/// [Miratrix et al. 2013]'s variance conditional on the units each arm received (§2, eq. (5)), estimated by
/// plugging in the sample variances and dropping the unidentifiable heterogeneity term γₖ ≥ 0, so it is
/// conservative; they argue for conditioning on the realised split. The interval is normal.
///
/// Which estimand: post-stratification targets the average effect over the experiment's whole population
/// (segments weighted by their size); the inverse-variance pooled estimate (`InverseVariancePooling`)
/// weights segments by precision, so it equals that average only when the effect is the same in every
/// segment; Mantel–Haenszel (`MantelHaenszelTest`) weights by nₖₐn_{k,b}/Nₖ, an efficient common effect
/// under homogeneity that drifts towards balanced, large segments otherwise.
///
/// [Miratrix et al. 2013]: https://doi.org/10.1111/j.1467-9868.2012.01048.x
///
/// > L. W. Miratrix, J. S. Sekhon, B. Yu. "Adjusting treatment effect estimates by post-stratification in
/// > randomized experiments." *J. R. Statist. Soc. B* 75 (2013), 369–396.
public struct PostStratification: Sendable, Hashable {
  /// One segment: its units (both arms) and each arm's estimate.
  public struct Stratum: Sendable, Hashable, Codable {
    public var units: Double
    public var control: ArmEstimate
    public var treatment: ArmEstimate

    public init(units: Double, control: ArmEstimate, treatment: ArmEstimate) {
      self.units = units
      self.control = control
      self.treatment = treatment
    }
  }

  public var strata: [Stratum]
  public var alternative: Alternative
  public var confidenceLevel: Double

  /// Validates: at least one stratum; positive unit counts; finite estimates and variances.
  public init(strata: [Stratum], alternative: Alternative = .twoSided, confidenceLevel: Double = 0.95)
    throws(StatsError)
  {
    try StatsError.require(!strata.isEmpty, "strata", "needs at least one segment")
    for (index, stratum) in strata.enumerated() {
      try StatsError.requireCount(stratum.units, "strata[\(index)].units", minimum: 1)
      for arm in [stratum.control, stratum.treatment] {
        try StatsError.require(
          arm.estimate.isFinite && arm.variance.isFinite && arm.variance >= 0, "strata[\(index)]",
          "needs finite estimates and non-negative variances in both arms")
      }
    }
    self.strata = strata
    self.alternative = alternative
    self.confidenceLevel = try Alternative.validatedConfidenceLevel(confidenceLevel)
  }

  public func result() throws(StatsError) -> PostStratifiedResult {
    let total = strata.reduce(0) { $0 + $1.units }
    var estimate = 0.0
    var variance = 0.0
    var weights: [Double] = []
    for stratum in strata {
      let weight = stratum.units / total
      weights.append(weight)
      estimate += weight * (stratum.treatment.estimate - stratum.control.estimate)
      variance += weight * weight * (stratum.treatment.variance + stratum.control.variance)
    }
    guard variance > 0, variance.isFinite else {
      throw .numerical(
        routine: "PostStratification.result", status: 0, message: "the variance (\(variance)) is not positive")
    }
    let standardError = variance.squareRoot()
    let z = estimate / standardError
    let critical = try alternative.criticalValue(
      confidenceLevel: confidenceLevel, upperQuantile: Normal.inverseSurvival)
    return PostStratifiedResult(
      estimate: estimate, standardError: standardError, weights: weights,
      test: TestResult(statistic: z, pValue: try alternative.normalPValue(z), alternative: alternative),
      interval: alternative.interval(
        estimate: estimate, standardError: standardError, critical: critical, confidenceLevel: confidenceLevel))
  }
}

/// What `PostStratification` reports.
public struct PostStratifiedResult: Sendable, Hashable, Codable {
  public var estimate: Double
  public var standardError: Double
  /// wₖ, in the strata's order.
  public var weights: [Double]
  public var test: TestResult
  public var interval: ConfidenceInterval
}
