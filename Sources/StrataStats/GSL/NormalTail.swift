internal import CStrataGSL

extension Normal {
  /// ln(1 − Φ(x)), finite for every finite x: ln Q(x) = ln erfc(x/√2) − ln 2 (`gsl_sf_log_erfc_e`).
  ///
  /// Unlike `log(survival(x))`, which is −∞ once Q(x) underflows (x ≳ 38.5), this keeps full relative
  /// precision of the logarithm far into the tail; group-sequential boundaries use it for tiny alphas.
  public static func logSurvival(_ x: Double) throws(StatsError) -> Double {
    try StatsError.require(x.isFinite, "x", "must be finite, got \(x)")
    return try GSL.special { gsl_sf_log_erfc_e(x / 2.0.squareRoot(), $0) } - log(2.0)
  }
}
