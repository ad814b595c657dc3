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
///
/// The choice and its spelling live here (a definition names one without numerics); α(t) itself is computed
/// by StrataStats (`logCumulativeAlpha(at:alpha:alternative:)`).
public enum SpendingFunction: Sendable, Hashable, CustomStringConvertible {
  case obrienFleming
  case pocock
  case hwangShihDeCani(gamma: Double)

  /// Parses the CLI spelling.
  ///
  /// `obf`, `pocock`, `hsd:GAMMA` (GAMMA any finite number, e.g. `hsd:-4`).
  public init(parsing text: String) throws(DesignError) {
    let lowered = text.lowercased()
    switch lowered {
    case "obf", "of", "obrien-fleming": self = .obrienFleming
    case "pocock", "p": self = .pocock
    default:
      if lowered.hasPrefix("hsd:"), let gamma = Double(lowered.dropFirst(4)), gamma.isFinite {
        self = .hwangShihDeCani(gamma: gamma)
      } else {
        throw DesignError(
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
}
