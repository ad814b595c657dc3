import Foundation

/// The noncentral F distribution F′(ν₁, ν₂, λ), for the power of F tests. GSL has no noncentral F, so it is
/// written here as a Poisson mixture of beta upper tails (GSL's `gsl_cdf_beta_Q`):
///
/// ```
/// P(F′ > x) = Σ_{j≥0} e^{−λ/2} (λ/2)^j / j! · Q_Beta(y; ν₁/2 + j, ν₂/2),   y = ν₁x / (ν₁x + ν₂)
/// ```
/// (Johnson, Kotz & Balakrishnan 1995, ch. 30, eq. 30.10). Matches R's `pf(x, df1, df2, ncp, lower.tail = FALSE)`.
///
/// Summation starts at the Poisson mode ⌊λ/2⌋ and runs outward in both directions. Upward, every beta tail
/// is ≤ 1, so stopping once the Poisson weight falls below 1e-17 × the running sum bounds the neglected mass
/// (the weights then decrease at least geometrically). Downward, both the weights and the tails decrease,
/// so the sum stops once a term falls below 1e-17 × the running sum.
///
/// > N. L. Johnson, S. Kotz, N. Balakrishnan. *Continuous Univariate Distributions*, vol. 2, 2nd ed. Wiley, 1995.
public struct NoncentralF: Sendable, Hashable {
  public let numeratorDegreesOfFreedom: Double
  public let denominatorDegreesOfFreedom: Double
  public let noncentrality: Double

  public init(numeratorDegreesOfFreedom: Double, denominatorDegreesOfFreedom: Double, noncentrality: Double)
    throws(StatsError)
  {
    try StatsError.require(
      numeratorDegreesOfFreedom > 0 && numeratorDegreesOfFreedom.isFinite, "numerator degrees of freedom",
      "must be positive and finite, got \(numeratorDegreesOfFreedom)")
    try StatsError.require(
      denominatorDegreesOfFreedom > 0 && denominatorDegreesOfFreedom.isFinite, "denominator degrees of freedom",
      "must be positive and finite, got \(denominatorDegreesOfFreedom)")
    try StatsError.require(
      noncentrality >= 0 && noncentrality <= 1e7, "noncentrality",
      "must be between 0 and 1e7, got \(noncentrality)")
    self.numeratorDegreesOfFreedom = numeratorDegreesOfFreedom
    self.denominatorDegreesOfFreedom = denominatorDegreesOfFreedom
    self.noncentrality = noncentrality
  }

  /// P(F′ > x).
  public func survival(_ x: Double) throws(StatsError) -> Double {
    guard x > 0 else { return 1 }
    let (a, b) = (numeratorDegreesOfFreedom / 2, denominatorDegreesOfFreedom / 2)
    let y = numeratorDegreesOfFreedom * x / (numeratorDegreesOfFreedom * x + denominatorDegreesOfFreedom)
    let mu = noncentrality / 2
    guard mu > 0 else { return try GSL.betaSurvival(y, a, b) }
    let mode = floor(mu)
    let modeWeight = exp(-mu + mode * log(mu) - (try logGamma(mode + 1)))
    var sum = modeWeight * (try GSL.betaSurvival(y, a + mode, b))
    var weight = modeWeight
    var j = mode
    var steps = 0
    while true {  // upward from the mode
      weight *= mu / (j + 1)
      j += 1
      steps += 1
      if weight < 1e-17 * max(sum, 1e-300) || steps > 1_000_000 { break }
      sum += weight * (try GSL.betaSurvival(y, a + j, b))
    }
    weight = modeWeight
    j = mode
    while j > 0 {  // downward from the mode
      weight *= j / mu
      j -= 1
      let term = weight * (try GSL.betaSurvival(y, a + j, b))
      sum += term
      if term < 1e-17 * sum { break }
    }
    guard steps <= 1_000_000, sum.isFinite else {
      throw .numerical(routine: "NoncentralF.survival", status: 0, message: "the Poisson series did not converge")
    }
    return min(1, sum)
  }
}
