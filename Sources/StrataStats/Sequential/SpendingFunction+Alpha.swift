import Foundation
import StrataDesign

extension SpendingFunction {
  /// The log of the cumulative alpha spent, ln α(t).
  ///
  /// The log of the cumulative alpha spent at fraction t for total α, one-sided (`.greater`) or
  /// two-sided.
  /// α(1) = α exactly.
  public func logCumulativeAlpha(at t: Double, alpha: Double, alternative: Alternative) throws(StatsError) -> Double {
    precondition(t > 0 && t <= 1 && alpha > 0 && alpha < 1)
    let sides = alternative.sides
    if t == 1 { return log(alpha) }
    switch self {
    case .obrienFleming:
      // 2·sides·Q(z_{1−α/(2·sides)}/√t), the tail in log space so it never underflows.
      let z = try Normal.inverseSurvival(alpha / Double(2 * sides))
      return log(Double(2 * sides)) + (try Normal.logSurvival(z / t.squareRoot()))
    case .pocock:
      return log(alpha) + log(log1p((M_E - 1) * t))
    case .hwangShihDeCani(let gamma):
      // (1 − e^{−γt})/(1 − e^{−γ}) = expm1(−γt)/expm1(−γ); below |γ| = 1e-12 the ratio is t to ~1e-12.
      if abs(gamma) < 1e-12 { return log(alpha) + log(t) }
      return log(alpha) + log(expm1(-gamma * t) / expm1(-gamma))
    }
  }

  /// α(t), the cumulative alpha spent at fraction t (may underflow to 0; use `logCumulativeAlpha`).
  public func cumulativeAlpha(at t: Double, alpha: Double, alternative: Alternative) throws(StatsError) -> Double {
    exp(try logCumulativeAlpha(at: t, alpha: alpha, alternative: alternative))
  }
}
