/// Planning inputs for a ratio metric (Σnumerator/Σdenominator per arm, the unit randomised) from the
/// moments of its numerator and denominator per unit.
///
/// ```
/// R = μ_y/μ_d        σ_R = √(σ_y² − 2R·ρ·σ_y·σ_d + R²·σ_d²) / μ_d
/// ```
/// σ_R is the per-unit standard deviation of the ratio's delta-method linearization (y − R·d)/μ_d, so a
/// ratio metric is sized as a mean with baseline R and standard deviation σ_R (`PlanMetric.mean`); its
/// estimate's variance is σ_R²/n, as `DeltaMetric.ratio` computes from data. See [Deng, Knoblich & Lu
/// 2018], eq. (3).
///
/// [Deng, Knoblich & Lu 2018]: https://doi.org/10.1145/3219819.3219919
public struct RatioPlanning: Sendable, Hashable {
  public var numeratorMean: Double
  public var numeratorStandardDeviation: Double
  public var denominatorMean: Double
  public var denominatorStandardDeviation: Double
  /// ρ between a unit's numerator and denominator.
  public var correlation: Double

  /// Validates: finite means with a non-zero denominator mean, non-negative spreads, −1 ≤ ρ ≤ 1.
  public init(
    numeratorMean: Double, numeratorStandardDeviation: Double, denominatorMean: Double,
    denominatorStandardDeviation: Double, correlation: Double
  ) throws(StatsError) {
    try StatsError.require(numeratorMean.isFinite, "numerator mean", "must be finite, got \(numeratorMean)")
    try StatsError.require(
      denominatorMean.isFinite && denominatorMean != 0, "denominator mean",
      "must be finite and not 0, got \(denominatorMean)")
    for (field, value) in [
      ("numerator sd", numeratorStandardDeviation), ("denominator sd", denominatorStandardDeviation),
    ] {
      try StatsError.require(value >= 0 && value.isFinite, field, "must be finite and non-negative, got \(value)")
    }
    try StatsError.require(
      correlation >= -1 && correlation <= 1, "ratio correlation", "must be from -1 to 1, got \(correlation)")
    self.numeratorMean = numeratorMean
    self.numeratorStandardDeviation = numeratorStandardDeviation
    self.denominatorMean = denominatorMean
    self.denominatorStandardDeviation = denominatorStandardDeviation
    self.correlation = correlation
  }

  /// R = μ_y/μ_d.
  public var ratio: Double { numeratorMean / denominatorMean }

  /// σ_R; a ratio without spread (σ_R = 0) cannot be sized and is an input error.
  public func standardDeviation() throws(StatsError) -> Double {
    let r = ratio
    let sy = numeratorStandardDeviation
    let sd = denominatorStandardDeviation
    let variance = sy * sy - 2 * r * correlation * sy * sd + r * r * sd * sd
    let result = max(0, variance).squareRoot() / abs(denominatorMean)
    try StatsError.require(
      result > 0 && result.isFinite, "numerator sd",
      "and the denominator's give the ratio no spread per unit (σ_R = \(result)), so no sample size follows")
    return result
  }

  /// The plan metric: a mean with baseline R and standard deviation σ_R.
  public func planMetric() throws(StatsError) -> PlanMetric {
    .mean(standardDeviation: try standardDeviation(), baseline: ratio)
  }
}
