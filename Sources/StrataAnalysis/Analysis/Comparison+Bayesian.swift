import StrataDefinitions
import StrataStats

extension Comparison {
  /// Fills `bayesian`, `bayesianScale` and `bayesianPrior`.
  ///
  /// The summary is on the plan's scale, or on the absolute lift when the relative one is undefined (a control
  /// mean of 0); the plan's `prior` is on the plan's scale, so that fallback uses the flat prior.
  mutating func summarizeBayesian(
    prior: Double?, scale: StatisticalPlan.BayesianScale, lowerIsBetter: Bool, credibleLevel: Double,
    critical: Double? = nil
  ) {
    let fallback = scale == .relative && control.mean == 0
    bayesianScale = fallback ? .absolute : scale
    bayesianPrior = fallback ? nil : prior
    bayesian = bayesianSummary(
      prior: bayesianPrior, relative: bayesianScale == .relative, lowerIsBetter: lowerIsBetter,
      credibleLevel: credibleLevel, critical: critical)
  }

  /// The Bayesian summary of this comparison's relative or absolute lift (GrowthBook's default view):
  /// posterior, chance to win, and the expected loss of keeping control or shipping the treatment.
  ///
  /// Gaussian approximation (with the delta-method variance for the relative lift); rates use the binomial
  /// variance p(1 − p), means the sample variance. `prior` is the standard deviation σ of a proper N(0, σ²)
  /// prior on the lift's own scale, nil for the flat prior. nil when there is nothing to summarise (an empty
  /// arm, a relative lift over a control mean of 0, no variation). `critical` is
  /// `BayesianSummary.critical(credibleLevel:)` when the caller has it (nil: computed here).
  func bayesianSummary(
    prior: Double?, relative: Bool, lowerIsBetter: Bool, credibleLevel: Double, critical: Double? = nil
  ) -> BayesianResult? {
    let c = control
    let t = treatmentArm
    guard c.count >= 2, t.count >= 2, c.mean.isFinite, t.mean.isFinite, !relative || c.mean != 0 else { return nil }
    let binomial = c.successes != nil
    let controlSD = binomial ? (c.mean * (1 - c.mean)).squareRoot() : c.standardDeviation
    let treatmentSD = binomial ? (t.mean * (1 - t.mean)).squareRoot() : t.standardDeviation
    // Arms of any magnitude (a ratio metric's means of 1e152, say, beyond `SampleSummary`'s 1e150): taken by the power
    // of two that brings the largest mean or sd near 1 when it is outside 2^±100 (exact).
    let scale = PowerOfTwoScale(standardError: max(abs(c.mean), abs(t.mean), controlSD, treatmentSD))
    do {
      // The lift and its variance from the arms at that scale, in the metric's own units (a relative lift has none);
      // the posterior with the plan's prior then scales itself (`BayesianSummary.result`).
      let lift = try BayesianSummary(
        control: SampleSummary(count: c.count, mean: scale.down(c.mean), standardDeviation: scale.down(controlSD)),
        treatment: SampleSummary(count: t.count, mean: scale.down(t.mean), standardDeviation: scale.down(treatmentSD)),
        relative: relative)
      let summary = try BayesianSummary(
        estimate: relative ? lift.estimate : scale.up(lift.estimate),
        variance: relative ? lift.variance : scale.upVariance(lift.variance),
        prior: try prior.map { try BayesianSummary.Prior(variance: $0 * $0) },
        lowerIsBetter: lowerIsBetter, credibleLevel: credibleLevel)
      return try critical.map { (critical) throws(StatsError) in try summary.result(critical: critical) }
        ?? summary.result()
    } catch {
      return nil  // zero variance in both arms: the data say nothing a posterior could add
    }
  }
}
