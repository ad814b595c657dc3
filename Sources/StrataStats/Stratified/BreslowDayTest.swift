/// The Breslow–Day test that 2×2 strata share one odds ratio ψ (no Tarone adjustment).
///
/// For each stratum the expected treatment successes Ãₖ under ψ solve
/// ```
/// Ã (n₀ − m₁ + Ã) = ψ (n₁ − Ã)(m₁ − Ã),   max(0, m₁ − n₀) ≤ Ã ≤ min(n₁, m₁)
/// X²_BD = Σ (aₖ − Ãₖ)² / Vₖ,   Vₖ = 1 / (1/Ã + 1/(n₁ − Ã) + 1/(m₁ − Ã) + 1/(n₀ − m₁ + Ã)),   df = K − 1
/// ```
/// with ψ the Mantel–Haenszel estimate. Strata without successes or without failures are uninformative and
/// left out (with their degree of freedom). Matches `statsmodels StratifiedTable.test_equal_odds(adjust=False)`
/// and R metafor's `rma.mh(measure = "OR")$BD`. See [Breslow & Day 1980], §4.4.
///
/// [Breslow & Day 1980]:
/// https://publications.iarc.fr/Book-And-Report-Series/Iarc-Scientific-Publications/Statistical-Methods-In-Cancer-Research-Volume-I-The-Analysis-Of-Case-Control-Studies-1980
///
/// > N. E. Breslow, N. E. Day. *Statistical Methods in Cancer Research I* (IARC, 1980), eq. 4.30.
public struct BreslowDayTest: Sendable, Hashable {
  public var strata: [BinomialStratum]
  public var commonOddsRatio: Double

  public init(strata: [BinomialStratum], commonOddsRatio: Double) throws(StatsError) {
    try StatsError.require(
      commonOddsRatio > 0 && commonOddsRatio.isFinite, "odds ratio",
      "must be positive and finite, got \(commonOddsRatio)")
    self.strata = strata
    self.commonOddsRatio = commonOddsRatio
  }

  public func result() throws(StatsError) -> Heterogeneity {
    var statistic = 0.0
    var informative = 0
    for s in strata where s.successes > 0 && s.failures > 0 {
      let n1 = s.treatment.trials, n0 = s.control.trials, m1 = s.successes
      let expected = expectedSuccesses(n1: n1, n0: n0, m1: m1)
      let cells = [expected, n1 - expected, m1 - expected, n0 - m1 + expected]
      // A cell expected at 0 means the stratum pins Ã to a bound: it carries no information.
      guard cells.allSatisfy({ $0 > 0 }) else { continue }
      let variance = 1 / cells.reduce(0) { $0 + 1 / $1 }
      let deviation = s.treatment.successes - expected
      statistic += deviation * deviation / variance
      informative += 1
    }
    let degreesOfFreedom = Double(max(0, informative - 1))
    guard degreesOfFreedom > 0 else {
      return Heterogeneity(method: "breslow-day", statistic: statistic, degreesOfFreedom: 0, pValue: nil, iSquared: nil)
    }
    let pValue = try ChiSquared(degreesOfFreedom: degreesOfFreedom).survival(statistic)
    return Heterogeneity(
      method: "breslow-day", statistic: statistic, degreesOfFreedom: degreesOfFreedom, pValue: pValue, iSquared: nil)
  }

  /// The root of (1 − ψ)Ã² + (n₀ − m₁ + ψ(n₁ + m₁))Ã − ψ n₁ m₁ = 0 inside the table's bounds.
  private func expectedSuccesses(n1: Double, n0: Double, m1: Double) -> Double {
    let psi = commonOddsRatio
    let lower = max(0, m1 - n0), upper = min(n1, m1)
    let quadratic = 1 - psi
    let linear = n0 - m1 + psi * (n1 + m1)
    let constant = -psi * n1 * m1
    if abs(quadratic) < 1e-12 {
      return min(upper, max(lower, -constant / linear))
    }
    // Stable roots: q = −(B + sign(B)√(B² − 4AC))/2, roots q/A and C/q.
    let discriminant = max(0, linear * linear - 4 * quadratic * constant).squareRoot()
    let q = -(linear + (linear >= 0 ? discriminant : -discriminant)) / 2
    let roots = [q / quadratic, q != 0 ? constant / q : .nan]
    let tolerance = 1e-9 * max(1, upper)
    if let root = roots.first(where: { $0.isFinite && $0 >= lower - tolerance && $0 <= upper + tolerance }) {
      return min(upper, max(lower, root))
    }
    preconditionFailure("Breslow-Day: no root of the expected-count equation inside [\(lower), \(upper)]")
  }
}
