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
/// 2. The tail that is small keeps its relative precision (each tail is its own sum of positive terms,
///    never `1 − other tail`), except in the mixed-sign case below.
/// 3. Fast enough for root finding: planning needs δ ≈ 2–6, a few dozen incomplete-beta calls.
///
/// Algorithm (for t ≥ 0; a negative t is reflected with P(T ≤ t; ν, δ) = P(T ≥ −t; ν, −δ)). With
/// x = t²/(ν + t²), y = ν/(ν + t²), λ = δ²/2 and the Poisson-type weights
/// ```
/// p_j = e^(−λ) λ^j / j!,   q_j = e^(−λ) λ^(j+½) / Γ(j + 3/2)        (so Σ p_j = 1, Σ q_j = erf(|δ|/√2))
/// P(T ≤ t) = Φ(−δ) + ½ Σ_j [ p_j I_x(j + ½, ν/2) + sign(δ) q_j I_x(j + 1, ν/2) ]
/// P(T > t) =          ½ Σ_j [ p_j I_y(ν/2, j + ½) + sign(δ) q_j I_y(ν/2, j + 1) ]
/// ```
/// The first is Guenther's series (Lenth 1989, AS 243, eq. 2); the second follows from
/// I_x(a, b) = 1 − I_y(b, a) and the identity ½ Σ (p_j + sign(δ) q_j) = Φ(δ), which removes the
/// cancellation that `1 − P(T ≤ t)` would have. As in Benton & Krishnamoorthy (2003), each sum starts at
/// the weights' mode j = ⌊λ⌋ and runs both ways, so large δ neither underflows e^(−λ) (weights are
/// computed in logs) nor needs thousands of negligible terms. Each direction stops when a rigorous bound
/// on what remains falls below 1e-17 of the sum so far: Σ_{k>j} p_k = P(j + 1, λ), Σ_{k>j} q_k =
/// P(j + 3/2, λ), Σ_{k<j} p_k = Q(j, λ), Σ_{k<j} q_k ≤ Q(j + ½, λ) (regularized incomplete gamma
/// functions), times the monotone bound on the incomplete-beta factor (I_x(a, ·) falls as a grows,
/// I_y(·, b) rises with b).
///
/// Regimes and accuracy (measured against scipy.stats.nct, i.e. Boost, and R `pt(q, df, ncp)`; see
/// `docs/planning.md`):
/// - δ = 0 is the central t (GSL).
/// - t and δ of the same sign (the power regime): both tails are sums of positive terms; agreement with
///   Boost is ~1e-13 relative or better across ν ∈ [0.5, 1e8], |δ| ≤ 200, including tails near 1e-200.
/// - t and δ of opposite signs: the tail away from δ mixes positive and negative terms, so it is accurate
///   to ~1e-16 absolute, not relative, once it falls below ~1e-14 (Boost computes it as 1 − P and has the
///   same limit). The other tail is ≥ ½ and accurate.
///
/// > R. V. Lenth. "Algorithm AS 243: Cumulative distribution function of the non-central t distribution."
/// > *Applied Statistics* 38 (1989), 185–189. https://doi.org/10.2307/2347693
/// >
/// > D. Benton, K. Krishnamoorthy. "Computing discrete mixtures of continuous distributions: noncentral
/// > chisquare, noncentral t and the distribution of the square of the sample multiple correlation
/// > coefficient." *Computational Statistics & Data Analysis* 43 (2003), 249–267.
/// > https://doi.org/10.1016/S0167-9473(02)00283-9
public struct NoncentralT: Sendable, Hashable {
  public let degreesOfFreedom: Double
  public let noncentrality: Double

  /// Validates ν > 0 and finite, δ finite.
  public init(degreesOfFreedom: Double, noncentrality: Double) throws(StatsError) {
    try StatsError.require(
      degreesOfFreedom > 0 && degreesOfFreedom.isFinite, "degrees of freedom",
      "must be positive and finite, got \(degreesOfFreedom)")
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
    if t >= 0 {
      return try NoncentralTSeries(t: t, degreesOfFreedom: degreesOfFreedom, noncentrality: noncentrality).tails()
    }
    let reflected = try NoncentralTSeries(t: -t, degreesOfFreedom: degreesOfFreedom, noncentrality: -noncentrality)
      .tails()
    return (reflected.upper, reflected.lower)
  }
}
