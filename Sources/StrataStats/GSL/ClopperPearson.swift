internal import CStrataGSL

/// The Clopper–Pearson ("exact") confidence interval for a binomial proportion.
///
/// ```
/// lower = B⁻¹(α/2; x, n − x + 1)      (0 when x = 0)
/// upper = B⁻¹(1 − α/2; x + 1, n − x)  (1 when x = n)
/// ```
/// with B⁻¹ the beta quantile, solved by Brent's method on the beta CDF (`gsl_cdf_beta_P`, the upper end
/// on `gsl_cdf_beta_Q`) to 1e-13 relative: GSL's own `gsl_cdf_beta_Pinv` returns NaN for some large shapes
/// (x = 9700, n = 100000, tail 0.025). Matches
/// `scipy.stats.binomtest(x, n).proportion_ci(method="exact")` and R's `binom.test`. Coverage is at
/// least the nominal level. See [Clopper & Pearson 1934].
///
/// [Clopper & Pearson 1934]: https://doi.org/10.1093/biomet/26.4.404
///
/// > C. J. Clopper, E. S. Pearson. "The use of confidence or fiducial limits illustrated in the case of the
/// > binomial." *Biometrika* 26 (1934), 404–413.
public enum ClopperPearson {
  public static func interval(successes: Int, trials: Int, confidenceLevel: Double = 0.95) throws(StatsError)
    -> ConfidenceInterval
  {
    try StatsError.require(trials >= 1, "trials", "must be at least 1, got \(trials)")
    try StatsError.require(
      successes >= 0 && successes <= trials, "successes", "must be in [0, \(trials)], got \(successes)")
    _ = try Alternative.validatedConfidenceLevel(confidenceLevel, field: "confidence level")
    let tail = (1 - confidenceLevel) / 2
    let x = Double(successes)
    let n = Double(trials)
    var lower = 0.0
    var upper = 1.0
    if successes > 0 {
      lower = try GSL.findRoot(lower: 0, upper: 1, absoluteTolerance: 1e-300, relativeTolerance: 1e-13) {
        (p: Double) throws(StatsError) -> Double in try GSL.value { gsl_cdf_beta_P(p, x, n - x + 1) } - tail
      }
    }
    if successes < trials {
      upper = try GSL.findRoot(lower: 0, upper: 1, absoluteTolerance: 1e-300, relativeTolerance: 1e-13) {
        (p: Double) throws(StatsError) -> Double in try GSL.value { gsl_cdf_beta_Q(p, x + 1, n - x) } - tail
      }
    }
    return ConfidenceInterval(lower: lower, upper: upper, confidenceLevel: confidenceLevel)
  }
}
