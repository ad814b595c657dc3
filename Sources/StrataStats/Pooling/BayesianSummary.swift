/// A Bayesian summary of one comparison under a Gaussian approximation: posterior mean and credible
/// interval of the lift, the chance that treatment beats control, and the expected loss of each choice.
///
/// ```
/// data:       Δ̂ ~ N(Δ, V)          absolute Δ̂ = x̄_t − x̄_c,  V = s_t²/n_t + s_c²/n_c
///                                  relative Δ̂ = (x̄_t − x̄_c)/x̄_c,  V = s_t²/(x̄_c² n_t) + s_c² x̄_t²/(x̄_c⁴ n_c)
/// prior:      Δ ~ N(m₀, σ₀²) (proper) or flat (improper)
/// posterior:  precision P = 1/V + 1/σ₀²,  mean μ = (Δ̂/V + m₀/σ₀²)/P,  sd σ = 1/√P
/// chance to win  = P(Δ > 0) = Φ(μ/σ)
/// risk(control)  = E[max(Δ, 0)]  = μ Φ(μ/σ) + σ φ(μ/σ)     (what keeping control loses if treatment is better)
/// risk(treatment)= E[max(−Δ, 0)] = −μ Φ(−μ/σ) + σ φ(μ/σ)   (what shipping treatment loses if it is worse)
/// ```
/// Treatment minus control. The closed forms of the two risks are the truncated-normal means times their
/// probabilities, written without division so they stay accurate far in the tails. Matches gbstats 0.8.0's
/// `EffectBayesianABTest` (`chance_to_win`, `ci`, `risk`, relative or absolute, proper or improper prior); for
/// a metric where lower is better (`direction: decrease`) "win" means Δ < 0 and the two risks swap, as
/// gbstats' `inverse`. With the random-effects model as prior (m₀ = μ̂, σ₀² = τ̂²) the posterior is the
/// segment's empirical-Bayes estimate. See [Stucchio 2015] for expected loss and [Deng 2015] for the
/// Gaussian approximation.
///
/// [Stucchio 2015]: https://vwo.com/downloads/VWO_SmartStats_technical_whitepaper.pdf
/// [Deng 2015]: https://doi.org/10.1145/2740908.2742563
///
/// > C. Stucchio. "Bayesian A/B Testing at VWO" (2015). A. Deng. "Objective Bayesian two sample hypothesis
/// > testing for online controlled experiments." *WWW '15 Companion* (2015).
public struct BayesianSummary: Sendable, Hashable {
  /// A Gaussian prior on the lift (in the lift's own scale: absolute units, or relative as a fraction).
  public struct Prior: Sendable, Hashable, Codable {
    public var mean: Double
    public var variance: Double

    public init(mean: Double = 0, variance: Double) throws(StatsError) {
      try StatsError.require(mean.isFinite, "prior mean", "must be finite, got \(mean)")
      try StatsError.require(
        variance > 0 && variance.isFinite, "prior variance", "must be positive and finite, got \(variance)")
      self.mean = mean
      self.variance = variance
    }
  }

  /// The observed lift and its sampling variance.
  public var estimate: Double
  public var variance: Double
  /// nil: the improper (flat) prior, where the posterior is the data's own normal approximation.
  public var prior: Prior?
  /// Whether lower values of the metric are better (win means Δ < 0).
  public var lowerIsBetter: Bool
  public var credibleLevel: Double

  public init(
    estimate: Double, variance: Double, prior: Prior? = nil, lowerIsBetter: Bool = false,
    credibleLevel: Double = 0.95
  ) throws(StatsError) {
    try StatsError.require(estimate.isFinite, "lift", "must be finite, got \(estimate)")
    try StatsError.require(
      variance > 0 && variance.isFinite, "variance of the lift", "must be positive and finite, got \(variance)")
    try StatsError.require(
      credibleLevel > 0 && credibleLevel < 1, "credible level", "must be strictly between 0 and 1, got \(credibleLevel)"
    )
    self.estimate = estimate
    self.variance = variance
    self.prior = prior
    self.lowerIsBetter = lowerIsBetter
    self.credibleLevel = credibleLevel
  }

  /// The summary of a lift between two samples: `relative` divides by the control mean (delta method).
  public init(
    control: SampleSummary, treatment: SampleSummary, relative: Bool, prior: Prior? = nil,
    lowerIsBetter: Bool = false, credibleLevel: Double = 0.95
  ) throws(StatsError) {
    // Means and standard deviations of any magnitude: taken by the power of two that brings the largest of
    // them near 1 when it is outside 2^±100 (exact; the squares and base⁴ below would overflow or vanish).
    let scale = PowerOfTwoScale(
      standardError: Swift.max(
        abs(control.mean), abs(treatment.mean), control.standardDeviation, treatment.standardDeviation))
    let (controlMean, treatmentMean) = (scale.down(control.mean), scale.down(treatment.mean))
    let (controlSD, treatmentSD) = (scale.down(control.standardDeviation), scale.down(treatment.standardDeviation))
    let varianceControl = controlSD * controlSD / control.count
    let varianceTreatment = treatmentSD * treatmentSD / treatment.count
    let estimate: Double
    let variance: Double
    if relative {
      try StatsError.require(control.mean != 0, "control mean", "is 0, so a relative lift is undefined")
      let base = controlMean
      estimate = (treatmentMean - base) / base
      variance =
        varianceTreatment / (base * base) + varianceControl * treatmentMean * treatmentMean
        / (base * base * base * base)
    } else {
      estimate = scale.up(treatmentMean - controlMean)
      variance = scale.upVariance(varianceTreatment + varianceControl)
      try StatsError.require(
        variance.isFinite, "variance of the lift",
        "is beyond the double range (the standard deviations exceed about 1e154); give the values in a larger unit")
    }
    try self.init(
      estimate: estimate, variance: variance, prior: prior, lowerIsBetter: lowerIsBetter,
      credibleLevel: credibleLevel)
  }

  public func result() throws(StatsError) -> BayesianResult {
    try result(critical: try Self.critical(credibleLevel: credibleLevel))
  }

  /// The normal quantile of the credible interval at `credibleLevel`, which `result(critical:)` takes.
  ///
  /// It depends on the level alone: an analysis with thousands of segments summarises every comparison and
  /// every shrunken segment at the same level, so it asks GSL once instead of once per summary.
  public static func critical(credibleLevel: Double) throws(StatsError) -> Double {
    try Normal.inverseSurvival((1 - credibleLevel) / 2)
  }

  /// `result()` with the quantile of `critical(credibleLevel:)` at this summary's level, computed by the caller.
  public func result(critical: Double) throws(StatsError) -> BayesianResult {
    // A lift of any magnitude: the smaller of its variance and the prior's (the larger precision) is brought near 1
    // by a power of two when its square root is outside 2^±100 (exact), and the posterior's mean, sd, interval and
    // risks are scaled back.
    let scale = PowerOfTwoScale(variances: [variance, prior?.variance ?? .infinity])
    let estimate = scale.down(self.estimate)
    let variance = scale.downVariance(self.variance)
    var precision = 1 / variance
    var mean = estimate
    if let prior {
      let priorMean = scale.down(prior.mean)
      let priorVariance = scale.downVariance(prior.variance)
      precision += 1 / priorVariance
      mean = (estimate / variance + priorMean / priorVariance) / precision
    }
    let sd = (1 / precision).squareRoot()
    let standardized = mean / sd
    let above = try Normal.cdf(standardized)  // P(Δ > 0)
    let below = try Normal.cdf(-standardized)  // P(Δ < 0), not 1 − above: keeps tiny tails
    let density = try Normal.density(standardized)
    // E[max(Δ, 0)] and E[max(−Δ, 0)]; mathematically ≥ 0, clamped against rounding.
    let upside = max(0, mean * above + sd * density)
    let downside = max(0, -mean * below + sd * density)
    return BayesianResult(
      posteriorMean: scale.up(mean), posteriorStandardDeviation: scale.up(sd),
      credibleInterval: scale.up(
        ConfidenceInterval(lower: mean - critical * sd, upper: mean + critical * sd, confidenceLevel: credibleLevel)),
      chanceToWin: lowerIsBetter ? below : above,
      riskControl: scale.up(lowerIsBetter ? downside : upside),
      riskTreatment: scale.up(lowerIsBetter ? upside : downside))
  }
}

/// The posterior of one lift and what each decision risks.
public struct BayesianResult: Sendable, Hashable, Codable {
  public var posteriorMean: Double
  public var posteriorStandardDeviation: Double
  public var credibleInterval: ConfidenceInterval
  /// The probability that treatment is better than control (in the metric's good direction).
  public var chanceToWin: Double
  /// Expected loss of keeping control (0 if control is surely better), in the lift's unit.
  public var riskControl: Double
  /// Expected loss of shipping treatment.
  public var riskTreatment: Double
}
