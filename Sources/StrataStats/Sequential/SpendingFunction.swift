import Foundation

/// A Lan–DeMets alpha-spending function: how much of the total type I error α may be spent by
/// information fraction t ∈ (0, 1].
///
/// With α the total (both sides together when two-sided), the cumulative spending α(t) is
/// ```
/// O'Brien–Fleming type  one-sided  α(t) = 2·(1 − Φ(z_{1−α/2} / √t))
///                       two-sided  α(t) = 4·(1 − Φ(z_{1−α/4} / √t))
/// Pocock type                      α(t) = α·ln(1 + (e − 1)·t)
/// Hwang–Shih–DeCani(γ)             α(t) = α·(1 − e^{−γt}) / (1 − e^{−γ}),   γ = 0: α·t
/// ```
/// A two-sided design spends α(t) over both sides together, half on each (symmetric boundaries); this
/// is what R rpact 3.3.4 does for `typeOfDesign = "asOF"`, `"asP"` and `"asHSD"` with `sided = 2`.
/// Every α(t) is computed as a logarithm as well, so a spending of 1e-400 (O'Brien–Fleming at an early
/// look with a small α) is still a usable number, not 0.
///
/// See [Lan & DeMets 1983] and [Hwang, Shih & DeCani 1990].
///
/// [Lan & DeMets 1983]: https://doi.org/10.1093/biomet/70.3.659
/// [Hwang, Shih & DeCani 1990]: https://doi.org/10.1002/sim.4780091207
///
/// > K. K. G. Lan, D. L. DeMets. "Discrete sequential boundaries for clinical trials." *Biometrika* 70
/// > (1983), 659–663. I. K. Hwang, W. J. Shih, J. S. DeCani. "Group sequential designs using a family of
/// > type I error probability spending functions." *Statistics in Medicine* 9 (1990), 1439–1445.
public enum SpendingFunction: Sendable, Hashable, CustomStringConvertible {
  case obrienFleming
  case pocock
  case hwangShihDeCani(gamma: Double)

  /// Parses the CLI spelling.
  ///
  /// `obf`, `pocock`, `hsd:GAMMA` (GAMMA any finite number, e.g. `hsd:-4`).
  public init(parsing text: String) throws(StatsError) {
    let lowered = text.lowercased()
    switch lowered {
    case "obf", "of", "obrien-fleming": self = .obrienFleming
    case "pocock", "p": self = .pocock
    default:
      if lowered.hasPrefix("hsd:"), let gamma = Double(lowered.dropFirst(4)), gamma.isFinite {
        self = .hwangShihDeCani(gamma: gamma)
      } else {
        throw .invalidInput(
          field: "spending",
          message: "must be obf, pocock or hsd:GAMMA (for example hsd:-4), got '\(text)'")
      }
    }
  }

  /// The CLI spelling (`obf`, `pocock`, `hsd:-4`).
  public var description: String {
    switch self {
    case .obrienFleming: return "obf"
    case .pocock: return "pocock"
    case .hwangShihDeCani(let gamma):
      return gamma == gamma.rounded() && abs(gamma) < 1e15 ? "hsd:\(Int(gamma))" : "hsd:\(gamma)"
    }
  }

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
