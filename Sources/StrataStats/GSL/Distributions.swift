internal import CStrataGSL

/// The standard normal distribution N(0, 1).
///
/// Lower tail `cdf`, upper tail `survival` (from GSL's `_Q` routine, so tiny upper-tail probabilities keep
/// their relative precision instead of collapsing to 0 as `1 − P` would), and their inverses.
public enum Normal {
  /// Φ(x).
  public static func cdf(_ x: Double) throws(StatsError) -> Double { try GSL.value { gsl_cdf_ugaussian_P(x) } }
  /// 1 − Φ(x), computed directly.
  public static func survival(_ x: Double) throws(StatsError) -> Double { try GSL.value { gsl_cdf_ugaussian_Q(x) } }
  /// Φ⁻¹(p), for 0 < p < 1.
  public static func quantile(_ p: Double) throws(StatsError) -> Double {
    try StatsError.requireProbability(p)
    return try GSL.value { gsl_cdf_ugaussian_Pinv(p) }
  }
  /// The x with 1 − Φ(x) = q, for 0 < q < 1 (accurate for tiny q).
  public static func inverseSurvival(_ q: Double) throws(StatsError) -> Double {
    try StatsError.requireProbability(q)
    return try GSL.value { gsl_cdf_ugaussian_Qinv(q) }
  }
  /// φ(x), the density.
  public static func density(_ x: Double) throws(StatsError) -> Double { try GSL.value { gsl_ran_ugaussian_pdf(x) } }
  /// Two-sided p-value 2·(1 − Φ(|z|)).
  public static func twoSidedPValue(_ z: Double) throws(StatsError) -> Double {
    min(1, 2 * (try survival(abs(z))))
  }
}

/// Student's t distribution with ν degrees of freedom (ν > 0, not necessarily an integer).
public struct StudentT: Sendable, Hashable {
  public let degreesOfFreedom: Double
  public init(degreesOfFreedom: Double) throws(StatsError) {
    try StatsError.requireDegreesOfFreedom(degreesOfFreedom)
    self.degreesOfFreedom = degreesOfFreedom
  }
  public func cdf(_ t: Double) throws(StatsError) -> Double { try GSL.value { gsl_cdf_tdist_P(t, degreesOfFreedom) } }
  public func survival(_ t: Double) throws(StatsError) -> Double {
    try GSL.value { gsl_cdf_tdist_Q(t, degreesOfFreedom) }
  }
  public func quantile(_ p: Double) throws(StatsError) -> Double {
    try StatsError.requireProbability(p)
    return try GSL.value { gsl_cdf_tdist_Pinv(p, degreesOfFreedom) }
  }
  public func inverseSurvival(_ q: Double) throws(StatsError) -> Double {
    try StatsError.requireProbability(q)
    return try GSL.value { gsl_cdf_tdist_Qinv(q, degreesOfFreedom) }
  }
  public func density(_ t: Double) throws(StatsError) -> Double {
    try GSL.value { gsl_ran_tdist_pdf(t, degreesOfFreedom) }
  }
}

/// The chi-squared distribution with k degrees of freedom (k > 0).
public struct ChiSquared: Sendable, Hashable {
  public let degreesOfFreedom: Double
  public init(degreesOfFreedom: Double) throws(StatsError) {
    try StatsError.requireDegreesOfFreedom(degreesOfFreedom)
    self.degreesOfFreedom = degreesOfFreedom
  }
  public func cdf(_ x: Double) throws(StatsError) -> Double { try GSL.value { gsl_cdf_chisq_P(x, degreesOfFreedom) } }
  public func survival(_ x: Double) throws(StatsError) -> Double {
    try GSL.value { gsl_cdf_chisq_Q(x, degreesOfFreedom) }
  }
  public func quantile(_ p: Double) throws(StatsError) -> Double {
    try StatsError.requireProbability(p)
    return try GSL.value { gsl_cdf_chisq_Pinv(p, degreesOfFreedom) }
  }
  public func inverseSurvival(_ q: Double) throws(StatsError) -> Double {
    try StatsError.requireProbability(q)
    return try GSL.value { gsl_cdf_chisq_Qinv(q, degreesOfFreedom) }
  }
}

/// The F distribution with (ν₁, ν₂) degrees of freedom.
public struct FisherF: Sendable, Hashable {
  public let numeratorDegreesOfFreedom: Double
  public let denominatorDegreesOfFreedom: Double
  public init(numeratorDegreesOfFreedom: Double, denominatorDegreesOfFreedom: Double) throws(StatsError) {
    try StatsError.require(
      numeratorDegreesOfFreedom > 0 && numeratorDegreesOfFreedom.isFinite, "numerator degrees of freedom",
      "must be positive, got \(numeratorDegreesOfFreedom)")
    try StatsError.require(
      denominatorDegreesOfFreedom > 0 && denominatorDegreesOfFreedom.isFinite, "denominator degrees of freedom",
      "must be positive, got \(denominatorDegreesOfFreedom)")
    self.numeratorDegreesOfFreedom = numeratorDegreesOfFreedom
    self.denominatorDegreesOfFreedom = denominatorDegreesOfFreedom
  }
  public func cdf(_ x: Double) throws(StatsError) -> Double {
    try GSL.value { gsl_cdf_fdist_P(x, numeratorDegreesOfFreedom, denominatorDegreesOfFreedom) }
  }
  public func survival(_ x: Double) throws(StatsError) -> Double {
    try GSL.value { gsl_cdf_fdist_Q(x, numeratorDegreesOfFreedom, denominatorDegreesOfFreedom) }
  }
  /// The x with P(F ≤ x) = p.
  ///
  /// GSL 2.7.1's `gsl_cdf_fdist_Pinv` returns NaN for many ordinary arguments (see `GSL.fisherInverseSurvival`), so
  /// this solves on the upper tail instead; only for p < 1e-10, where 1 − p would lose the value, does it fall back to
  /// GSL's inverse (a NaN there still throws, never aborts).
  public func quantile(_ p: Double) throws(StatsError) -> Double {
    try StatsError.requireProbability(p)
    if p < 1e-10 {
      return try GSL.value { gsl_cdf_fdist_Pinv(p, numeratorDegreesOfFreedom, denominatorDegreesOfFreedom) }
    }
    return try GSL.fisherInverseSurvival(1 - p, numeratorDegreesOfFreedom, denominatorDegreesOfFreedom)
  }
  /// The x with P(F > x) = q, accurate for tiny q.
  public func inverseSurvival(_ q: Double) throws(StatsError) -> Double {
    try StatsError.requireProbability(q)
    return try GSL.fisherInverseSurvival(q, numeratorDegreesOfFreedom, denominatorDegreesOfFreedom)
  }
}

/// The binomial distribution B(n, p).
public struct Binomial: Sendable, Hashable {
  public let trials: UInt32
  public let probability: Double
  public init(trials: UInt32, probability: Double) throws(StatsError) {
    try StatsError.require(probability >= 0 && probability <= 1, "probability", "must be in [0, 1], got \(probability)")
    self.trials = trials
    self.probability = probability
  }
  public func pmf(_ k: UInt32) throws(StatsError) -> Double {
    try GSL.value { gsl_ran_binomial_pdf(k, probability, trials) }
  }
  /// P(X ≤ k).
  public func cdf(_ k: UInt32) throws(StatsError) -> Double {
    try GSL.value { gsl_cdf_binomial_P(k, probability, trials) }
  }
  /// P(X > k).
  public func survival(_ k: UInt32) throws(StatsError) -> Double {
    try GSL.value { gsl_cdf_binomial_Q(k, probability, trials) }
  }
}

/// The hypergeometric distribution: draws `draws` items without replacement from `successes` marked and
/// `failures` unmarked items; X counts marked items drawn.
public struct Hypergeometric: Sendable, Hashable {
  public let successes: UInt32
  public let failures: UInt32
  public let draws: UInt32
  public init(successes: UInt32, failures: UInt32, draws: UInt32) throws(StatsError) {
    try StatsError.require(
      UInt64(draws) <= UInt64(successes) + UInt64(failures), "draws",
      "cannot exceed the population \(UInt64(successes) + UInt64(failures)), got \(draws)")
    self.successes = successes
    self.failures = failures
    self.draws = draws
  }
  public func pmf(_ k: UInt32) throws(StatsError) -> Double {
    try GSL.value { gsl_ran_hypergeometric_pdf(k, successes, failures, draws) }
  }
  /// P(X ≤ k).
  public func cdf(_ k: UInt32) throws(StatsError) -> Double {
    try GSL.value { gsl_cdf_hypergeometric_P(k, successes, failures, draws) }
  }
  /// P(X > k).
  public func survival(_ k: UInt32) throws(StatsError) -> Double {
    try GSL.value { gsl_cdf_hypergeometric_Q(k, successes, failures, draws) }
  }
}

/// Natural log of the gamma function, ln Γ(x), for x > 0.
public func logGamma(_ x: Double) throws(StatsError) -> Double {
  try StatsError.require(x > 0, "x", "log-gamma needs x > 0, got \(x)")
  return try GSL.special { gsl_sf_lngamma_e(x, $0) }
}

/// ln C(n, k), the log binomial coefficient.
public func logChoose(_ n: UInt32, _ k: UInt32) throws(StatsError) -> Double {
  try StatsError.require(k <= n, "k", "must not exceed n (\(n)), got \(k)")
  return try GSL.special { gsl_sf_lnchoose_e(n, k, $0) }
}

extension StudentT {
  /// For tests of the GSL doorway only: skips validation so an invalid call reaches GSL.
  init(unvalidatedDegreesOfFreedom: Double) { degreesOfFreedom = unvalidatedDegreesOfFreedom }
  /// For tests of the GSL doorway only: calls GSL with no Swift-side checks.
  func inverseSurvivalUnchecked(_ q: Double) throws(StatsError) -> Double {
    try GSL.value { gsl_cdf_tdist_Qinv(q, degreesOfFreedom) }
  }
}
