import StrataStats
import StrataTestSupport
import Testing

struct StratifiedBinomialCase: Decodable, CustomTestStringConvertible, Sendable {
  struct Stratum: Decodable, Sendable { var treatment: [Double]; var control: [Double] }
  var name: String
  var confidence_level: Double
  var strata: [Stratum]
  var risk_difference, risk_difference_se, risk_difference_low, risk_difference_high: Double
  var risk_difference_z, risk_difference_p, q, q_df, i_squared: Double
  var q_p: Double?
  var odds_ratio, odds_ratio_low, odds_ratio_high, cmh_statistic, cmh_p: Double
  var breslow_day, breslow_day_p: Double?
  var testDescription: String { name }

  func test() throws -> MantelHaenszelTest {
    let strata = try strata.map {
      BinomialStratum(
        control: try BinomialSummary(successes: $0.control[0], trials: $0.control[1]),
        treatment: try BinomialSummary(successes: $0.treatment[0], trials: $0.treatment[1]))
    }
    return try MantelHaenszelTest(strata: strata, confidenceLevel: confidence_level)
  }
}

struct StratifiedContinuousCase: Decodable, CustomTestStringConvertible, Sendable {
  var name: String
  var confidence_level: Double
  var estimates, variances: [Double]
  var estimate, se, low, high, z, p, q, q_df, i_squared: Double
  var q_p: Double?
  var testDescription: String { name }
}

@Suite("Stratified estimates")
struct StratifiedTests {
  // metafor prints 15 significant digits (jsonlite digits = NA), so compare to 1e-11.
  static let tolerance = 1e-11

  @Test(arguments: try Fixture<StratifiedBinomialCase>.load("stratified_binomial", from: .module))
  func mantelHaenszelMatchesMetafor(_ c: StratifiedBinomialCase) throws {
    let r = try c.test().result()
    #expect(isClose(r.riskDifference, c.risk_difference, relativeTolerance: Self.tolerance))
    #expect(isClose(r.standardError, c.risk_difference_se, relativeTolerance: Self.tolerance))
    #expect(isClose(r.interval.lower, c.risk_difference_low, relativeTolerance: 1e-9, absoluteTolerance: 1e-14))
    #expect(isClose(r.interval.upper, c.risk_difference_high, relativeTolerance: 1e-9))
    #expect(isClose(r.test.statistic, c.risk_difference_z, relativeTolerance: Self.tolerance))
    #expect(isClose(r.test.pValue, c.risk_difference_p, relativeTolerance: 1e-9))
    #expect(isClose(r.heterogeneity.statistic, c.q, relativeTolerance: 1e-9, absoluteTolerance: 1e-12))
    #expect(r.heterogeneity.degreesOfFreedom == c.q_df)
    if let expected = c.q_p {
      #expect(isClose(r.heterogeneity.pValue ?? .nan, expected, relativeTolerance: 1e-9))
    } else {
      #expect(r.heterogeneity.pValue == nil)
    }
    #expect(isClose(r.heterogeneity.iSquared ?? .nan, c.i_squared, relativeTolerance: 1e-9, absoluteTolerance: 1e-12))
    #expect(isClose(r.oddsRatio ?? .nan, c.odds_ratio, relativeTolerance: Self.tolerance))
    #expect(isClose(r.oddsRatioInterval?.lower ?? .nan, c.odds_ratio_low, relativeTolerance: 1e-10))
    #expect(isClose(r.oddsRatioInterval?.upper ?? .nan, c.odds_ratio_high, relativeTolerance: 1e-10))
    #expect(isClose(r.cochranMantelHaenszel.statistic, c.cmh_statistic, relativeTolerance: 1e-10))
    #expect(isClose(r.cochranMantelHaenszel.pValue, c.cmh_p, relativeTolerance: 1e-9))
    if let expected = c.breslow_day, let expectedP = c.breslow_day_p {
      let bd = try #require(r.breslowDay)
      #expect(isClose(bd.statistic, expected, relativeTolerance: 1e-8, absoluteTolerance: 1e-12))
      #expect(isClose(bd.pValue ?? .nan, expectedP, relativeTolerance: 1e-8))
    }
  }

  @Test(arguments: try Fixture<StratifiedContinuousCase>.load("stratified_continuous", from: .module))
  func inverseVarianceMatchesMetafor(_ c: StratifiedContinuousCase) throws {
    let r = try InverseVariancePooling(
      estimates: c.estimates, variances: c.variances, confidenceLevel: c.confidence_level
    ).result()
    #expect(isClose(r.estimate, c.estimate, relativeTolerance: Self.tolerance))
    #expect(isClose(r.standardError, c.se, relativeTolerance: Self.tolerance))
    #expect(isClose(r.interval.lower, c.low, relativeTolerance: 1e-10))
    #expect(isClose(r.interval.upper, c.high, relativeTolerance: 1e-10))
    #expect(isClose(r.test.statistic, c.z, relativeTolerance: Self.tolerance))
    #expect(isClose(r.test.pValue, c.p, relativeTolerance: 1e-9))
    #expect(isClose(r.heterogeneity.statistic, c.q, relativeTolerance: 1e-9, absoluteTolerance: 1e-12))
    #expect(r.heterogeneity.degreesOfFreedom == c.q_df)
    #expect(isClose(r.heterogeneity.iSquared ?? .nan, c.i_squared, relativeTolerance: 1e-9, absoluteTolerance: 1e-12))
    if let expected = c.q_p { #expect(isClose(r.heterogeneity.pValue ?? .nan, expected, relativeTolerance: 1e-9)) }
  }

  /// Swapping arms negates the risk difference and z, inverts the odds ratio, and keeps every p-value.
  @Test func swappingArmsMirrorsTheEstimates() throws {
    var generator = SplitMix64(seed: 20261122)
    for trial in 0..<50 {
      let strata = try (0..<Int.random(in: 1...6, using: &generator)).map { _ in
        let nt = Double(Int.random(in: 20...5000, using: &generator)),
          nc = Double(Int.random(in: 20...5000, using: &generator))
        let pt = Double.random(in: 0.02...0.6, using: &generator), pc = Double.random(in: 0.02...0.6, using: &generator)
        return BinomialStratum(
          control: try BinomialSummary(successes: (nc * pc).rounded(), trials: nc),
          treatment: try BinomialSummary(successes: (nt * pt).rounded(), trials: nt))
      }
      let forward = try MantelHaenszelTest(strata: strata).result()
      let backward = try MantelHaenszelTest(
        strata: strata.map { BinomialStratum(control: $0.treatment, treatment: $0.control) }
      ).result()
      #expect(
        isClose(forward.riskDifference, -backward.riskDifference, relativeTolerance: 1e-12, absoluteTolerance: 1e-15),
        "trial \(trial)")
      #expect(isClose(forward.test.pValue, backward.test.pValue, relativeTolerance: 1e-9), "trial \(trial)")
      #expect(
        isClose(forward.cochranMantelHaenszel.pValue, backward.cochranMantelHaenszel.pValue, relativeTolerance: 1e-9),
        "trial \(trial)")
      #expect(
        isClose(forward.oddsRatio ?? .nan, 1 / (backward.oddsRatio ?? .nan), relativeTolerance: 1e-12), "trial \(trial)"
      )
      #expect(forward.interval.contains(forward.riskDifference))
      #expect((0...1).contains(forward.heterogeneity.pValue ?? 0.5))
    }
  }

  @Test func oneStratumMatchesTheUnstratifiedRiskDifference() throws {
    let control = try BinomialSummary(successes: 180, trials: 1000)
    let treatment = try BinomialSummary(successes: 216, trials: 1000)
    let r = try MantelHaenszelTest(strata: [BinomialStratum(control: control, treatment: treatment)]).result()
    #expect(isClose(r.riskDifference, 0.036, relativeTolerance: 1e-12))
  }

  @Test func noVariationIsInvalidInputNotAPlaceholder() throws {
    let none = try BinomialSummary(successes: 0, trials: 100)
    #expect(throws: StatsError.self) {
      try MantelHaenszelTest(strata: [BinomialStratum(control: none, treatment: none)]).result()
    }
    #expect(throws: StatsError.self) { try InverseVariancePooling(estimates: [1], variances: [0]) }
  }
}
