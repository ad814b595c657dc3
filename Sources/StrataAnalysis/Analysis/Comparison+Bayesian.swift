import StrataStats

extension Comparison {
  /// The Bayesian summary of this comparison's relative lift (GrowthBook's default view): posterior, chance
  /// to win, and the expected loss of keeping control or shipping the treatment.
  ///
  /// Gaussian approximation with the delta-method variance of the relative lift; rates use the binomial
  /// variance p(1 − p), means the sample variance. `prior` is the standard deviation σ of a proper N(0, σ²)
  /// prior on the relative lift (`plan.prior`), nil for the flat prior. nil when there is nothing to
  /// summarise (an empty arm, a control mean of 0, no variation).
  func bayesianSummary(prior: Double?, lowerIsBetter: Bool, credibleLevel: Double) -> BayesianResult? {
    let c = control
    let t = treatmentArm
    guard c.count >= 2, t.count >= 2, c.mean.isFinite, t.mean.isFinite, c.mean != 0 else { return nil }
    let binomial = c.successes != nil
    let controlSD = binomial ? (c.mean * (1 - c.mean)).squareRoot() : c.standardDeviation
    let treatmentSD = binomial ? (t.mean * (1 - t.mean)).squareRoot() : t.standardDeviation
    do {
      let summary = try BayesianSummary(
        control: SampleSummary(count: c.count, mean: c.mean, standardDeviation: controlSD),
        treatment: SampleSummary(count: t.count, mean: t.mean, standardDeviation: treatmentSD),
        relative: true, prior: try prior.map { try BayesianSummary.Prior(variance: $0 * $0) },
        lowerIsBetter: lowerIsBetter, credibleLevel: credibleLevel)
      return try summary.result()
    } catch {
      return nil  // zero variance in both arms: the data say nothing a posterior could add
    }
  }
}
