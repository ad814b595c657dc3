import StrataStats
import StrataTestSupport
import Synchronization
import Testing

struct RandomEffectsCase: Decodable, CustomTestStringConvertible, Sendable {
  var name: String
  var method: String
  var knapp_hartung: Bool
  var confidence_level: Double
  var estimates, variances: [Double]
  var tau2, mean, se, low, high, p, q, pi_low, pi_high: Double
  /// metafor prints an infinite z (Knapp–Hartung over identical estimates: se = 0) as the string "Inf".
  var statistic: RDouble
  var q_p, tau2_low, tau2_high: Double?
  var blup, blup_se, blup_low, blup_high: [Double]
  var testDescription: String { name }

  struct RDouble: Decodable, Sendable {
    var value: Double
    init(from decoder: any Decoder) throws {
      let container = try decoder.singleValueContainer()
      if let number = try? container.decode(Double.self) {
        value = number
      } else {
        let text = try container.decode(String.self)
        switch text {
        case "Inf": value = .infinity
        case "-Inf": value = -.infinity
        default: throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a number: \(text)")
        }
      }
    }
  }

  func model() throws -> RandomEffectsModel {
    try RandomEffectsModel(
      estimates: estimates, variances: variances,
      method: RandomEffectsModel.Method(rawValue: method) ?? .restrictedMaximumLikelihood,
      knappHartung: knapp_hartung, confidenceLevel: confidence_level)
  }
}

@Suite("Random-effects pooling across segments")
struct RandomEffectsTests {
  /// metafor's values carry 15 significant digits; the issue asks 1e-8, and every quantity (p-values and the
  /// Q-profile bounds included) is checked at it.
  ///
  /// Quantities near zero (τ² at the
  /// boundary, means of opposite-signed segments) get an absolute floor relative to the data's scale.
  static let tolerance = 1e-8

  @Test(arguments: try Fixture<RandomEffectsCase>.load("random_effects", from: .module))
  func matchesMetafor(_ c: RandomEffectsCase) throws {
    let r = try c.model().result()
    let scale = c.variances.max() ?? 1
    let floor = 1e-12 * scale
    #expect(isClose(r.tauSquared, c.tau2, relativeTolerance: Self.tolerance, absoluteTolerance: floor))
    #expect(isClose(r.mean, c.mean, relativeTolerance: Self.tolerance, absoluteTolerance: floor))
    #expect(isClose(r.standardError, c.se, relativeTolerance: Self.tolerance))
    #expect(isClose(r.interval.lower, c.low, relativeTolerance: Self.tolerance, absoluteTolerance: floor))
    #expect(isClose(r.interval.upper, c.high, relativeTolerance: Self.tolerance, absoluteTolerance: floor))
    if c.statistic.value.isInfinite {
      #expect(r.test.statistic == c.statistic.value)
    } else {
      #expect(isClose(r.test.statistic, c.statistic.value, relativeTolerance: Self.tolerance, absoluteTolerance: 1e-10))
    }
    #expect(isClose(r.test.pValue, c.p, relativeTolerance: Self.tolerance))
    #expect(isClose(r.heterogeneity.statistic, c.q, relativeTolerance: Self.tolerance, absoluteTolerance: 1e-12))
    if let expected = c.q_p {
      #expect(isClose(r.heterogeneity.pValue ?? .nan, expected, relativeTolerance: Self.tolerance))
    }
    #expect(isClose(r.prediction.lower, c.pi_low, relativeTolerance: Self.tolerance, absoluteTolerance: floor))
    #expect(isClose(r.prediction.upper, c.pi_high, relativeTolerance: Self.tolerance, absoluteTolerance: floor))
    if let low = c.tau2_low, let high = c.tau2_high {
      let interval = try #require(r.tauSquaredInterval)
      // The Q-profile bounds come from root finding on both sides: metafor's at tol 1e-13 (its search widened
      // to τ² = 1e8: by default it stops at 100 and returns 100), ours at 1e-13 relative, unbounded.
      #expect(isClose(interval.lower, low, relativeTolerance: Self.tolerance, absoluteTolerance: floor))
      #expect(isClose(interval.upper, high, relativeTolerance: Self.tolerance, absoluteTolerance: floor))
    } else {
      #expect(r.tauSquaredInterval == nil)
    }
    #expect(r.shrunken.count == c.blup.count)
    for (index, s) in r.shrunken.enumerated() {
      #expect(isClose(s.estimate, c.blup[index], relativeTolerance: Self.tolerance, absoluteTolerance: floor))
      #expect(isClose(s.standardError, c.blup_se[index], relativeTolerance: Self.tolerance))
      #expect(isClose(s.interval.lower, c.blup_low[index], relativeTolerance: Self.tolerance, absoluteTolerance: floor))
      #expect(
        isClose(s.interval.upper, c.blup_high[index], relativeTolerance: Self.tolerance, absoluteTolerance: floor))
    }
  }

  @Test("Shrunken estimates lie between the raw estimate and the pooled mean")
  func shrinkageIsBetween() throws {
    var generator = SplitMix64(seed: 7)
    for _ in 0..<200 {
      let count = Int(generator.next() % 10) + 2
      let variances = (0..<count).map { _ in 0.001 + Double(generator.next() % 1000) / 10_000 }
      let estimates = (0..<count).map { _ in Double(Int(generator.next() % 2001) - 1000) / 1000 }
      let r = try RandomEffectsModel(estimates: estimates, variances: variances).result()
      #expect(r.tauSquared >= 0)
      for s in r.shrunken {
        #expect(s.shrinkage >= 0 && s.shrinkage <= 1)
        #expect(s.estimate >= min(s.raw, r.mean) - 1e-12 && s.estimate <= max(s.raw, r.mean) + 1e-12)
        #expect(s.standardError <= s.rawVariance.squareRoot() + 1e-12)
      }
    }
  }

  @Test("τ̂² = 0 pools completely: every shrunken estimate is the pooled mean")
  func zeroHeterogeneityPoolsCompletely() throws {
    let r = try RandomEffectsModel(estimates: [0.5, 0.5, 0.5], variances: [0.01, 0.02, 0.04]).result()
    #expect(r.tauSquared == 0)
    for s in r.shrunken { #expect(isClose(s.estimate, 0.5, relativeTolerance: 1e-14)) }
  }

  /// A segment near 1e78 once made REML loop for ever.
  ///
  /// `strata analyze` hung on a CSV with one revenue value of 1e75 or 1e80 among hundreds: the segment's estimate near
  /// −1e78 and variance near 1e157 start REML's Fisher scoring at τ² ≈ 1e102, where the information (Σw² with
  /// w ≈ 1e-157) underflows to 0, the step is −∞, and halving it never brings τ² + step above 0.
  /// The fit runs on a thread of its own: `.timeLimit` cannot stop a synchronous loop, so a regression to that loop
  /// would hang the run instead of failing the test.
  @Test("REML with a segment near 1e78 ends with an estimate or a numerical error, not an endless loop")
  func extremeSegmentEnds() throws {
    let model = try RandomEffectsModel(
      estimates: [12, -5.910294522592679e+78, 5.1], variances: [110, 2.3188357364147592e+157, 29.9])
    let outcome = Mutex<Result<RandomEffectsResult, StatsError>?>(nil)
    let ended = finishes(within: 60) {
      let result = Result { () throws(StatsError) in try model.result() }
      outcome.withLock { $0 = result }
    }
    #expect(ended, "REML did not end within 60 s")
    switch outcome.withLock({ $0 }) {
    case .success(let result): #expect(result.tauSquared.isFinite && result.tauSquared >= 0)
    case .failure(let error): #expect(!"\(error)".isEmpty)
    case nil: break
    }
  }

  @Test("Bad input is refused naming the segment")
  func badInput() {
    #expect(throws: StatsError.self) { try RandomEffectsModel(estimates: [], variances: []) }
    #expect(throws: StatsError.self) { try RandomEffectsModel(estimates: [1, 2], variances: [0.1]) }
    #expect(throws: StatsError.self) { try RandomEffectsModel(estimates: [1, .nan], variances: [0.1, 0.1]) }
    #expect(throws: StatsError.self) { try RandomEffectsModel(estimates: [1, 2], variances: [0.1, 0]) }
    #expect(throws: StatsError.self) { try RandomEffectsModel(estimates: [1], variances: [0.1], knappHartung: true) }
  }
}

struct CalibratedCase: Decodable, CustomTestStringConvertible, Sendable {
  var name: String
  var estimates, variances: [Double]
  var confidence_level: Double
  var low, high: [Double]
  var testDescription: String { name }
}

@Suite("Calibrated (τ-integrated) segment intervals")
struct CalibratedIntervalTests {
  /// scipy's quad at epsrel 1e-12 against GSL's QAGIU at 1e-10: quantiles agree to about 1e-8 of the spread.
  @Test(arguments: try Fixture<CalibratedCase>.load("random_effects_calibrated", from: .module))
  func matchesScipyQuadrature(_ c: CalibratedCase) throws {
    let r = try RandomEffectsModel(
      estimates: c.estimates, variances: c.variances, confidenceLevel: c.confidence_level, calibrated: true,
      calibratedMethod: .hierarchicalBayes
    ).result()
    let scale = (c.variances.max() ?? 1).squareRoot()
    for (index, s) in r.shrunken.enumerated() {
      let interval = try #require(s.calibratedInterval)
      #expect(isClose(interval.lower, c.low[index], relativeTolerance: 1e-7, absoluteTolerance: 1e-8 * scale))
      #expect(isClose(interval.upper, c.high[index], relativeTolerance: 1e-7, absoluteTolerance: 1e-8 * scale))
      // Averaging over τ only widens: the calibrated interval contains the BLUP one's centre.
      #expect(interval.contains(s.estimate))
    }
  }

  @Test func needsThreeSegments() throws {
    let two = try RandomEffectsModel(estimates: [0.1, 0.3], variances: [0.01, 0.02], calibrated: true).result()
    #expect(two.shrunken.allSatisfy { $0.calibratedInterval == nil })
  }
}
