internal import CStrataGSL

/// Special functions that Swift code outside the GSL folder needs (the noncentral t series), each one
/// GSL call through the doorway. Arguments are validated by the callers; GSL errors become
/// `StatsError.numerical`, except that a result below the smallest double is 0.
enum SpecialFunctions {
  /// The regularized incomplete beta function I_x(a, b), a, b > 0, 0 ≤ x ≤ 1.
  static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) throws(StatsError) -> Double {
    try GSL.specialUnderflowingToZero { gsl_sf_beta_inc_e(a, b, x, $0) }
  }

  /// The regularized lower incomplete gamma function P(a, x) = γ(a, x)/Γ(a), a > 0, x ≥ 0.
  static func regularizedGammaLower(_ a: Double, _ x: Double) throws(StatsError) -> Double {
    try GSL.specialUnderflowingToZero { gsl_sf_gamma_inc_P_e(a, x, $0) }
  }

  /// The regularized upper incomplete gamma function Q(a, x) = Γ(a, x)/Γ(a), a > 0, x ≥ 0, computed
  /// directly (not as 1 − P).
  static func regularizedGammaUpper(_ a: Double, _ x: Double) throws(StatsError) -> Double {
    try GSL.specialUnderflowingToZero { gsl_sf_gamma_inc_Q_e(a, x, $0) }
  }

  /// ln Γ(x), x > 0.
  static func logGamma(_ x: Double) throws(StatsError) -> Double {
    try GSL.special { gsl_sf_lngamma_e(x, $0) }
  }
}
