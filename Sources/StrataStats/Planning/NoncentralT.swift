/// The noncentral t distribution with ν > 0 degrees of freedom and noncentrality δ.
///
/// ```
/// T = (Z + δ) / √(V/ν),   Z ~ N(0, 1),  V ~ χ²_ν independent
/// ```
/// It is the distribution of the two-sample t statistic when the true standardized difference is not 0,
/// so it gives the power of a t test (`power.t.test` in R). GSL has no noncentral t; this one is written
/// in Swift on GSL's incomplete beta and gamma functions.
///
/// Goals, in priority order:
/// 1. Both tails to about 1e-13 relative wherever neither tail is tiny, for every ν > 0 (including ν in
///    the millions, as in planning large experiments) and |δ| up to a few hundred.
/// 2. The tail that is small keeps its relative precision down to ~1e-300: it is always computed
///    directly, never as `1 − other tail` (the larger tail may be the complement of the smaller).
/// 3. Fast enough for root finding: planning needs δ ≈ 2–6, a few dozen incomplete-beta calls.
///
/// Series (for t ≥ 0; a negative t is reflected with P(T ≤ t; ν, δ) = P(T ≥ −t; ν, −δ)). With
/// x = t²/(ν + t²), y = ν/(ν + t²), λ = δ²/2 and the Poisson-type weights
/// ```
/// p_j = e^(−λ) λ^j / j!,   q_j = e^(−λ) λ^(j+½) / Γ(j + 3/2)        (so Σ p_j = 1, Σ q_j = erf(|δ|/√2))
/// P(T ≤ t) = Φ(−δ) + ½ Σ_j [ p_j I_x(j + ½, ν/2) + sign(δ) q_j I_x(j + 1, ν/2) ]
/// P(T > t) =          ½ Σ_j [ p_j I_y(ν/2, j + ½) + sign(δ) q_j I_y(ν/2, j + 1) ]
/// ```
/// The first is Guenther's (1978) series as used by Lenth (1989, AS 243); the second follows from
/// I_x(a, b) = 1 − I_y(b, a) and the identity ½ Σ (p_j + sign(δ) q_j) = Φ(δ), which removes the
/// cancellation that `1 − P(T ≤ t)` would have. As in Benton & Krishnamoorthy (2003), each sum starts at
/// the weights' mode j = ⌊λ⌋ and runs both ways, so large δ neither underflows e^(−λ) (weights are
/// computed in logs) nor needs thousands of negligible terms. Each direction stops when a rigorous bound
/// on what remains falls below 1e-17 of the sum so far: Σ_{k>j} p_k = P(j + 1, λ), Σ_{k>j} q_k =
/// P(j + 3/2, λ), Σ_{k<j} p_k = Q(j, λ), Σ_{k<j} q_k ≤ Q(j + ½, λ) (regularized incomplete gamma
/// functions), times the monotone bound on the incomplete-beta factor (I_x(a, ·) falls as a grows,
/// I_y(·, b) rises with b).
///
/// Regimes (accuracy measured against 30-digit mpmath, scipy.stats.nct and R `pt(q, df, ncp)`; table in
/// `docs/planning.md`):
/// - δ = 0: the central t (GSL).
/// - ν ≤ 1e3, |δ| ≤ 20, t and δ of the same sign (after reflection; the power regime): both series, all
///   terms positive; the smaller result is kept and the larger tail is its complement (its incomplete
///   betas see arguments near 1, which GSL handles as 1 − x).
/// - ν ≤ 1e3, |δ| ≤ 20, t and δ of opposite signs: the far tail (below Φ(−|δ|) < ½), where the series mixes signs
///   and cancels once it drops below ~1e-14, from `NoncentralTIntegral` (quadrature of a positive
///   integrand); the other tail is its complement. scipy (Boost) and R compute the far tail as 1 − p.
/// - ν > 1e3, |δ| > 20 or |δ| < 1e-140 (where λ underflows): the smaller tail from `NoncentralTIntegral`, the other as its complement,
///   because GSL's incomplete beta loses accuracy as its parameters (ν/2, or j ≈ δ²/2) grow: 1e-12
///   relative at ν = 3e4, 1e-8 at ν = 1e8, 3e-12 at δ = 80.
/// - ν > 1e10: Φ((t(1 − 1/(4ν)) − δ)/√(1 + t²/(2ν))) (Abramowitz & Stegun 26.7.10; R uses it above
///   ν = 4e5), whose error is of order ν⁻².
///
/// > R. V. Lenth. "Algorithm AS 243: Cumulative distribution function of the non-central t distribution."
/// > *Applied Statistics* 38(1) (1989), 185–189.
/// >
/// > D. Benton, K. Krishnamoorthy. "Computing discrete mixtures of continuous distributions: noncentral
/// > chisquare, noncentral t and the distribution of the square of the sample multiple correlation
/// > coefficient." *Computational Statistics & Data Analysis* 43 (2003), 249–267.
public struct NoncentralT: Sendable, Hashable {
  public let degreesOfFreedom: Double
  public let noncentrality: Double

  /// Above this ν, GSL's incomplete beta with a or b = ν/2 loses accuracy (against mpmath: 8e-14 relative
  /// at ν = 1e3, 1e-13 at 1e4, 1e-12 at 3e4, 5e-12 at 1e5, 1e-8 at 1e8, worst near t ≈ 0.3, δ ≈ 0.5),
  /// and the tails come from `NoncentralTIntegral`.
  static let seriesDegreesOfFreedomLimit = 1e3

  /// Above this |δ| the incomplete betas of the series have parameters near λ = δ²/2 and GSL loses
  /// accuracy again (series against quadrature: 5e-14 relative at δ = 10, 1.2e-13 at 20, 2.2e-13 at 40,
  /// 2.9e-12 at 80, 1.9e-11 at 200); the quadrature's cost and accuracy do not depend on δ.
  static let seriesNoncentralityLimit = 20.0

  /// Below this |δ|, λ = δ²/2 underflows (the series' weights need ln λ); the quadrature takes δ as is.
  static let seriesNoncentralityFloor = 1e-140

  /// Above this ν the normal approximation of A&S 26.7.10 is exact to double precision.
  static let normalLimitDegreesOfFreedom = 1e10

  /// Validates ν > 0 and finite, δ finite.
  public init(degreesOfFreedom: Double, noncentrality: Double) throws(StatsError) {
    try StatsError.requireDegreesOfFreedom(degreesOfFreedom)
    try StatsError.require(noncentrality.isFinite, "noncentrality", "must be finite, got \(noncentrality)")
    self.degreesOfFreedom = degreesOfFreedom
    self.noncentrality = noncentrality
  }

  /// P(T ≤ t).
  public func cdf(_ t: Double) throws(StatsError) -> Double { try tails(t).lower }

  /// P(T > t), computed directly (not as 1 − cdf).
  public func survival(_ t: Double) throws(StatsError) -> Double { try tails(t).upper }

  /// Both tails at t: `lower` = P(T ≤ t), `upper` = P(T > t).
  public func tails(_ t: Double) throws(StatsError) -> (lower: Double, upper: Double) {
    try StatsError.require(!t.isNaN, "t", "must be a number, got NaN")
    if t == .infinity { return (1, 0) }
    if t == -.infinity { return (0, 1) }
    if noncentrality == 0 {
      let central = try StudentT(degreesOfFreedom: degreesOfFreedom)
      return (try central.cdf(t), try central.survival(t))
    }
    if degreesOfFreedom > Self.normalLimitDegreesOfFreedom {
      // S = √(V/ν) ≈ N(1 − 1/(4ν), 1/(2ν)) (Abramowitz & Stegun 26.7.10): both tails from Φ with an
      // error of order ν⁻² (< 1e-20 here), where the quadrature's peak (width 1/√(2ν)) gets too narrow.
      let z = (t * (1 - 1 / (4 * degreesOfFreedom)) - noncentrality) / (1 + t * t / (2 * degreesOfFreedom)).squareRoot()
      return (try Normal.cdf(z), try Normal.survival(z))
    }
    let magnitude = abs(noncentrality)
    if degreesOfFreedom > Self.seriesDegreesOfFreedomLimit || magnitude > Self.seriesNoncentralityLimit
      || magnitude < Self.seriesNoncentralityFloor
    {
      // Integrate the smaller tail (relative error ~1e-13) and take the other as its complement, so the
      // tail near 1 is exact to ~1e-16 and the two add up to 1.
      let integral = try NoncentralTIntegral(t: t, degreesOfFreedom: degreesOfFreedom, noncentrality: noncentrality)
      let upper = try integral.tail(upper: true)
      if upper <= 0.5 { return (1 - upper, upper) }
      let lower = try integral.tail(upper: false)
      return (lower, 1 - lower)
    }
    // Reflect to t ≥ 0: P(T ≤ t; ν, δ) = P(T ≥ −t; ν, −δ).
    let reflected = t < 0
    let (q, d) = reflected ? (-t, -noncentrality) : (t, noncentrality)
    let lower: Double
    let upper: Double
    if d < 0 && q > 0 {
      // With δ < 0 < t the upper tail (< Φ(δ) < ½) lies on the far side of δ, where the series mixes
      // signs; the integral does not, and the lower tail is its complement, exact to ~1e-16.
      upper = try NoncentralTIntegral(t: q, degreesOfFreedom: degreesOfFreedom, noncentrality: d).tail(upper: true)
      lower = 1 - upper
    } else {
      // Both sums are free of cancellation, but the incomplete beta of the larger tail sees an argument
      // near 1 (x = t²/(ν + t²) → 1 for t² ≫ ν), which GSL turns into 1 − x and can lose: the smaller
      // tail is kept and the larger is its complement.
      let series = NoncentralTSeries(t: q, degreesOfFreedom: degreesOfFreedom, noncentrality: d)
      let (seriesLower, seriesUpper) = (try series.lowerTail(), try series.upperTail())
      (lower, upper) = seriesLower <= seriesUpper ? (seriesLower, 1 - seriesLower) : (1 - seriesUpper, seriesUpper)
    }
    return reflected ? (upper, lower) : (lower, upper)
  }
}
