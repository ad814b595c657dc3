/// Sample-size and power planning for an A/B(/n) test on a conversion rate or a mean.
///
/// A plan fixes what is measured, the significance level, the alternative and the number of variants;
/// it then answers three questions: the sample size for an effect and a power (`sampleSize`), the
/// power of a given sample size (`power`), and the smallest detectable effect of a given sample size
/// (`minimumDetectableEffect`). Each comparison of a treatment with control is tested at
/// α/(variants − 1) (Bonferroni); sizes are per variant, all variants equal.
///
/// Proportions use the normal approximation with the pooled variance under H0, exactly R's
/// `power.prop.test` (stats, R 4.2.2, default `strict = FALSE`):
/// ```
/// power = Φ( (√n·|p₂ − p₁| − z·√((p₁ + p₂)(1 − (p₁ + p₂)/2))) / √(p₁(1 − p₁) + p₂(1 − p₂)) ),
/// z = Φ⁻¹(1 − α/(variants − 1)/sides)
/// ```
/// which R solves for n with `uniroot`; here the equation is solved in closed form,
/// n = ((z·√(2p̄(1 − p̄)) + Φ⁻¹(power)·√(p₁q₁ + p₂q₂)) / |p₂ − p₁|)², the exact root R's iteration
/// approaches (R's default tolerance leaves it ~1e-12 relative away in practice).
///
/// Means use the two-sample t test with the noncentral t, exactly R's `power.t.test` (type
/// "two.sample", `strict = FALSE`):
/// ```
/// ν = 2(n − 1),  δ = √(n/2)·|d|/σ,  power = P(T_{ν,δ} > t_{ν, 1 − α/(variants − 1)/sides})
/// ```
/// solved for n (or d) by Brent's method to ~1e-10 relative. Two-sided power ignores the far tail, as R
/// does by default (Φ(−1.96 − 2.80) ≈ 1e-6 at α = 0.05 and 80% power).
///
/// Sides: `.twoSided`, or `.greater` ("treatment greater than control", the effect must be positive), or
/// `.less` (the effect must be negative). Effects are treatment − control.
public struct SampleSizePlan: Sendable, Hashable {
  public let metric: PlanMetric
  /// The family-wise significance level over all comparisons with control.
  public let alpha: Double
  public let alternative: Alternative
  /// Number of variants, control included (≥ 2).
  public let variants: Int
  /// The share of the per-unit variance a covariate removes (0: no adjustment).
  ///
  /// CUPED: ρ², with ρ the correlation of the metric with its pre-period value. Means are sized with σ·√(1 − r); proportions with
  /// both variance terms of R's formula scaled by 1 − r, i.e. `power.prop.test` at n/(1 − r), so the size
  /// is (1 − r) times the unadjusted one ([Deng et al. 2013], §3.1).
  ///
  /// [Deng et al. 2013]: https://doi.org/10.1145/2433396.2433413
  public let varianceReduction: Double

  /// Validates: baseline strictly between 0 and 1 (proportions), standard deviation positive and finite
  /// (means), alpha strictly between 0 and 1, variants at least 2.
  public init(
    metric: PlanMetric, alpha: Double = 0.05, alternative: Alternative = .twoSided, variants: Int = 2,
    varianceReduction: Double = 0
  ) throws(StatsError) {
    try StatsError.require(
      varianceReduction >= 0 && varianceReduction < 1, "variance reduction",
      "must be from 0 to below 1 (a share of the variance; a correlation ρ gives ρ²), got \(varianceReduction)")
    switch metric {
    case .proportion(let baseline):
      try StatsError.require(
        baseline > 0 && baseline < 1, "baseline", "must be a rate strictly between 0 and 1, got \(baseline)")
    case .mean(let standardDeviation, let baseline):
      try StatsError.require(
        standardDeviation > 0 && standardDeviation.isFinite, "sd",
        "must be a positive, finite standard deviation, got \(standardDeviation)")
      if let baseline {
        try StatsError.require(baseline.isFinite, "baseline", "must be a finite mean, got \(baseline)")
      }
    }
    try StatsError.require(alpha > 0 && alpha < 1, "alpha", "must be strictly between 0 and 1, got \(alpha)")
    try StatsError.require(variants >= 2, "variants", "must be at least 2 (control and one treatment), got \(variants)")
    self.metric = metric
    self.alpha = alpha
    self.alternative = alternative
    self.variants = variants
    self.varianceReduction = varianceReduction
  }

  /// The significance level of each comparison with control: α/(variants − 1).
  public var alphaPerComparison: Double { alpha / Double(variants - 1) }

  /// The absolute effect (treatment − control) that `effect` stands for, validated: not zero, of the
  /// alternative's sign, and for proportions a treatment rate strictly between 0 and 1.
  public func absoluteEffect(_ effect: EffectSize) throws(StatsError) -> Double {
    let difference: Double
    switch (effect, metric) {
    case (.absolute(let d), _):
      difference = d
    case (.relative(let r), .proportion(let baseline)):
      difference = baseline * r
    case (.relative(let r), .mean(_, let baseline)):
      guard let baseline else {
        throw .invalidInput(field: "mde", message: "a relative effect on a mean needs the baseline mean")
      }
      try StatsError.require(baseline != 0, "baseline", "must not be 0 for a relative effect on a mean")
      difference = baseline * r
    }
    try StatsError.require(
      difference.isFinite && difference != 0, "mde", "must be a non-zero, finite effect, got \(difference)")
    try StatsError.require(
      alternative != .greater || difference > 0, "mde",
      "must be positive for a one-sided test that treatment is greater than control, got \(difference)")
    try StatsError.require(
      alternative != .less || difference < 0, "mde",
      "must be negative for a one-sided test that treatment is less than control, got \(difference)")
    if case .proportion(let baseline) = metric {
      let treatment = baseline + difference
      try StatsError.require(
        treatment > 0 && treatment < 1, "mde",
        "gives a treatment rate of \(treatment) (baseline \(baseline) + \(difference)), which must be strictly between 0 and 1"
      )
    }
    return difference
  }

  /// Validates a target power: strictly between the per-comparison α/sides (the power of a zero effect)
  /// and 1.
  func validatePower(_ power: Double) throws(StatsError) {
    let floor = alphaPerComparison / Double(alternative.sides)
    try StatsError.require(
      power > floor && power < 1, "power",
      "must be strictly between \(floor) (alpha per comparison / sides) and 1, got \(power)")
  }

  /// Validates a per-variant sample size for the inverse problems.
  func validatePerVariant(_ perVariant: Double) throws(StatsError) {
    switch metric {
    case .proportion:
      try StatsError.require(
        perVariant > 0 && perVariant.isFinite, "n", "must be a positive number of units per variant, got \(perVariant)")
    case .mean:
      try StatsError.require(
        perVariant >= 2 && perVariant.isFinite, "n",
        "must be at least 2 units per variant for a t test, got \(perVariant)")
    }
  }
}
