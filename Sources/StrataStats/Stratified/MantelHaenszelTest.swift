import Foundation

/// The Mantel–Haenszel pooled comparison of a binary outcome across strata (segments).
///
/// Goals, in order: an estimand campaign readers understand (the common **risk difference**, treatment −
/// control, in percentage points), a variance that stays valid both with many small strata and with few
/// large ones, and the classic tests beside it.
///
/// ```
/// wₖ    = n₁ₖ n₀ₖ / Nₖ
/// RD_MH = Σ (aₖ n₀ₖ − cₖ n₁ₖ) / Nₖ  /  Σ wₖ                       (a, c: treatment, control successes)
/// Var   = (RD_MH · P + Q) / (Σ wₖ)²,  P = Σ (n₁ₖ² cₖ − n₀ₖ² aₖ + n₁ₖ n₀ₖ (n₀ₖ − n₁ₖ)/2) / Nₖ²,
///                                      Q = Σ (aₖ (n₀ₖ − cₖ) + cₖ (n₁ₖ − aₖ)) / (2 Nₖ)       (Sato 1989)
/// OR_MH = Σ aₖdₖ/Nₖ / Σ bₖcₖ/Nₖ, log-scale variance of Robins, Breslow & Greenland (1986)
/// CMH   = (Σ aₖ − Σ E aₖ)² / Σ Var aₖ,  E aₖ = n₁ₖ m₁ₖ / Nₖ,  Var aₖ = n₁ₖ n₀ₖ m₁ₖ m₀ₖ / (Nₖ² (Nₖ − 1))
/// ```
/// The risk-difference test is z = RD_MH / √Var under `alternative`; the CMH test (1 df, no continuity
/// correction) is always two-sided. Heterogeneity of the risk difference is Cochran's Q around RD_MH with
/// the per-stratum Wald variances (½ added to
/// the cells of a table with a zero cell, as metafor does); heterogeneity of the odds ratio is the Breslow–Day test.
/// Matches R metafor 3.8 `rma.mh(measure = "RD")` and `rma.mh(measure = "OR", correct = FALSE)`.
/// See [Sato 1989], [Robins et al. 1986], [Mantel & Haenszel 1959].
///
/// [Sato 1989]: https://doi.org/10.2307/2531732
/// [Robins et al. 1986]: https://doi.org/10.2307/2531128
/// [Mantel & Haenszel 1959]: https://doi.org/10.1093/jnci/22.4.719
///
/// > T. Sato. "On the variance estimator for the Mantel-Haenszel risk difference." *Biometrics* 45 (1989),
/// > 1323–1324. J. Robins, N. Breslow, S. Greenland. "Estimators of the Mantel-Haenszel variance consistent
/// > in both sparse data and large-strata limiting models." *Biometrics* 42 (1986), 311–323.
public struct MantelHaenszelTest: Sendable, Hashable {
  public var strata: [BinomialStratum]
  public var alternative: Alternative
  public var confidenceLevel: Double

  public init(strata: [BinomialStratum], alternative: Alternative = .twoSided, confidenceLevel: Double = 0.95)
    throws(StatsError)
  {
    try StatsError.require(!strata.isEmpty, "strata", "needs at least one stratum")
    _ = try Alternative.validatedConfidenceLevel(confidenceLevel, field: "confidence level")
    self.strata = strata
    self.alternative = alternative
    self.confidenceLevel = confidenceLevel
  }

  public func result() throws(StatsError) -> MantelHaenszelResult {
    var notes: [String] = []
    // Risk difference with Sato's variance.
    var weightSum = 0.0, numerator = 0.0, satoP = 0.0, satoQ = 0.0
    for s in strata {
      let a = s.treatment.successes, n1 = s.treatment.trials
      let c = s.control.successes, n0 = s.control.trials
      let total = n1 + n0
      weightSum += n1 * n0 / total
      numerator += (a * n0 - c * n1) / total
      satoP += (n1 * n1 * c - n0 * n0 * a + n1 * n0 * (n0 - n1) / 2) / (total * total)
      satoQ += (a * (n0 - c) + c * (n1 - a)) / (2 * total)
    }
    let riskDifference = numerator / weightSum
    let variance = (riskDifference * satoP + satoQ) / (weightSum * weightSum)
    guard variance.isFinite, variance > 0 else {
      throw .invalidInput(
        field: "strata",
        message:
          "have no variation in the outcome (every unit converted, or none did), so the pooled risk difference has no variance"
      )
    }
    let standardError = variance.squareRoot()
    let z = riskDifference / standardError
    let riskDifferenceTest = TestResult(
      statistic: z, pValue: try Self.normalPValue(z, alternative), alternative: alternative)
    let riskDifferenceInterval = try Self.normalInterval(riskDifference, standardError, alternative, confidenceLevel)

    let heterogeneity = try Heterogeneity.cochranQ(
      estimates: strata.map(\.correctedRiskDifference.estimate),
      variances: strata.map(\.correctedRiskDifference.variance),
      pooled: riskDifference)
    let cmh = try cochranMantelHaenszel()
    let (oddsRatio, oddsRatioInterval) = try mantelHaenszelOddsRatio(notes: &notes)
    var breslowDay: Heterogeneity? = nil
    if let oddsRatio, oddsRatio > 0, oddsRatio.isFinite {
      breslowDay = try BreslowDayTest(strata: strata, commonOddsRatio: oddsRatio).result()
    }
    return MantelHaenszelResult(
      riskDifference: riskDifference, standardError: standardError, interval: riskDifferenceInterval,
      test: riskDifferenceTest, oddsRatio: oddsRatio, oddsRatioInterval: oddsRatioInterval,
      cochranMantelHaenszel: cmh, heterogeneity: heterogeneity, breslowDay: breslowDay, notes: notes)
  }

  /// The CMH χ² (1 df, no continuity correction); strata with fewer than two units carry no variance.
  private func cochranMantelHaenszel() throws(StatsError) -> TestResult {
    var observedMinusExpected = 0.0, varianceSum = 0.0
    for s in strata where s.total >= 2 {
      let n1 = s.treatment.trials, n0 = s.control.trials, total = s.total
      observedMinusExpected += s.treatment.successes - n1 * s.successes / total
      varianceSum += n1 * n0 * s.successes * s.failures / (total * total * (total - 1))
    }
    guard varianceSum > 0 else {
      throw .invalidInput(
        field: "strata", message: "have no variation in the outcome, so the Cochran-Mantel-Haenszel test is undefined")
    }
    let statistic = observedMinusExpected * observedMinusExpected / varianceSum
    let pValue = try ChiSquared(degreesOfFreedom: 1).survival(statistic)
    return TestResult(statistic: statistic, pValue: pValue, alternative: .twoSided)
  }

  /// The MH odds ratio and its Robins–Breslow–Greenland interval; `nil` (with a note) when it is 0 or ∞.
  private func mantelHaenszelOddsRatio(notes: inout [String]) throws(StatsError) -> (Double?, ConfidenceInterval?) {
    var r = 0.0, s = 0.0, pr = 0.0, psQr = 0.0, qs = 0.0
    for stratum in strata {
      let a = stratum.treatment.successes, b = stratum.treatment.trials - a
      let c = stratum.control.successes, d = stratum.control.trials - c
      let total = stratum.total
      let rk = a * d / total, sk = b * c / total
      let pk = (a + d) / total, qk = (b + c) / total
      r += rk
      s += sk
      pr += pk * rk
      psQr += pk * sk + qk * rk
      qs += qk * sk
    }
    guard r > 0, s > 0 else {
      notes.append(
        "The Mantel-Haenszel odds ratio is \(r == 0 ? "0" : "infinite") (a zero in every stratum), so it is not reported."
      )
      return (nil, nil)
    }
    let oddsRatio = r / s
    let logVariance = pr / (2 * r * r) + psQr / (2 * r * s) + qs / (2 * s * s)
    let logInterval = try Self.normalInterval(log(oddsRatio), logVariance.squareRoot(), .twoSided, confidenceLevel)
    return (
      oddsRatio,
      ConfidenceInterval(lower: exp(logInterval.lower), upper: exp(logInterval.upper), confidenceLevel: confidenceLevel)
    )
  }

  static func normalPValue(_ z: Double, _ alternative: Alternative) throws(StatsError) -> Double {
    switch alternative {
    case .twoSided: return try Normal.twoSidedPValue(z)
    case .greater: return try Normal.survival(z)
    case .less: return try Normal.cdf(z)
    }
  }

  /// estimate ± z·se (one-sided intervals have an infinite end).
  static func normalInterval(
    _ estimate: Double, _ standardError: Double, _ alternative: Alternative, _ confidenceLevel: Double
  ) throws(StatsError) -> ConfidenceInterval {
    let tail = alternative == .twoSided ? (1 - confidenceLevel) / 2 : 1 - confidenceLevel
    let critical = try Normal.inverseSurvival(tail)
    switch alternative {
    case .twoSided:
      return ConfidenceInterval(
        lower: estimate - critical * standardError, upper: estimate + critical * standardError,
        confidenceLevel: confidenceLevel)
    case .greater:
      return ConfidenceInterval(
        lower: estimate - critical * standardError, upper: .infinity, confidenceLevel: confidenceLevel)
    case .less:
      return ConfidenceInterval(
        lower: -.infinity, upper: estimate + critical * standardError, confidenceLevel: confidenceLevel)
    }
  }
}
