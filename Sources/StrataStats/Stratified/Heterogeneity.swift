/// Whether per-stratum effects differ by more than chance: Cochran's Q with I², or a Breslow–Day test.
///
/// ```
/// Q  = Σₖ (yₖ − θ̂)² / vₖ,   df = K − 1,   p = P(χ²_df ≥ Q)
/// I² = max(0, (Q − df) / Q)
/// ```
/// I² is the share of the variation between strata that is beyond sampling error (0 = none; 0.25, 0.5
/// and 0.75 are conventionally low, moderate and high). With one stratum there is nothing to compare and
/// the p-value is `nil`. See [Higgins & Thompson 2002].
///
/// [Higgins & Thompson 2002]: https://doi.org/10.1002/sim.1186
///
/// > J. P. T. Higgins, S. G. Thompson. "Quantifying heterogeneity in a meta-analysis."
/// > *Statistics in Medicine* 21 (2002), 1539–1558.
public struct Heterogeneity: Sendable, Hashable, Codable {
  /// Which statistic: "cochran-q" or "breslow-day".
  public var method: String
  public var statistic: Double
  public var degreesOfFreedom: Double
  /// `nil` when there are fewer than two informative strata.
  public var pValue: Double?
  /// `nil` for tests that do not define it (Breslow–Day).
  public var iSquared: Double?

  public init(method: String, statistic: Double, degreesOfFreedom: Double, pValue: Double?, iSquared: Double?) {
    self.method = method
    self.statistic = statistic
    self.degreesOfFreedom = degreesOfFreedom
    self.pValue = pValue
    self.iSquared = iSquared
  }

  /// Cochran's Q of `estimates` with sampling `variances` around `pooled`.
  ///
  /// Strata with zero variance carry no usable weight and are left out (so is their degree of freedom).
  public static func cochranQ(estimates: [Double], variances: [Double], pooled: Double) throws(StatsError)
    -> Heterogeneity
  {
    precondition(estimates.count == variances.count, "one variance per estimate")
    var q = 0.0
    var used = 0
    for (y, v) in zip(estimates, variances) where v > 0 && v.isFinite {
      q += (y - pooled) * (y - pooled) / v
      used += 1
    }
    let degreesOfFreedom = Double(max(0, used - 1))
    guard degreesOfFreedom > 0 else {
      return Heterogeneity(method: "cochran-q", statistic: q, degreesOfFreedom: 0, pValue: nil, iSquared: 0)
    }
    let pValue = try ChiSquared(degreesOfFreedom: degreesOfFreedom).survival(q)
    let iSquared = q > 0 ? max(0, (q - degreesOfFreedom) / q) : 0
    return Heterogeneity(
      method: "cochran-q", statistic: q, degreesOfFreedom: degreesOfFreedom, pValue: pValue, iSquared: iSquared)
  }
}
