import Foundation
import StrataStats
import StrataTestSupport
import Testing

/// Looks of one experiment from `Scripts/fixtures/sequential_always_valid.py` (mpmath, 50 digits).
struct AlwaysValidCase: Decodable, CustomTestStringConvertible, Sendable {
  struct Expected: Decodable, Sendable {
    var estimate, variance, log_likelihood_ratio, p_value, ci_low, ci_high: Double
    var running_p_value, running_ci_low, running_ci_high: Double
    var disjoint: Bool
  }
  var id: String
  var kind: String
  var tau: Double
  var alpha: Double
  /// Per look: [control, treatment], each [conversions, n] (binomial) or [n, mean, sd] (mean).
  var looks: [[[Double]]]
  var expected: [Expected]
  var testDescription: String { id }

  func estimates() throws -> [CumulativeEstimate] {
    try looks.map { look in
      if kind == "binomial" {
        return try CumulativeEstimate(
          control: BinomialSummary(successes: look[0][0], trials: look[0][1]),
          treatment: BinomialSummary(successes: look[1][0], trials: look[1][1]))
      }
      return try CumulativeEstimate(
        control: SampleSummary(count: look[0][0], mean: look[0][1], standardDeviation: look[0][2]),
        treatment: SampleSummary(count: look[1][0], mean: look[1][1], standardDeviation: look[1][2]))
    }
  }
}

struct ClopperPearsonCase: Decodable, Sendable, CustomTestStringConvertible {
  var successes, trials: Int
  var confidence_level, low, high: Double
  var testDescription: String { "\(successes)/\(trials) at \(confidence_level)" }
}

@Suite("Always-valid inference over looks")
struct AlwaysValidInferenceTests {
  @Test(arguments: try Fixture<AlwaysValidCase>.load("sequential_always_valid", from: .module))
  func matchesTheClosedFormLookByLook(_ c: AlwaysValidCase) throws {
    let inference = try AlwaysValidInference(mixingStandardDeviation: c.tau, alpha: c.alpha)
    let results = inference.results(try c.estimates())
    #expect(results.count == c.expected.count)
    for (r, e) in zip(results, c.expected) {
      #expect(isClose(r.estimate, e.estimate, relativeTolerance: 1e-12, absoluteTolerance: 1e-15))
      #expect(isClose(r.logLikelihoodRatio, e.log_likelihood_ratio, relativeTolerance: 1e-9, absoluteTolerance: 1e-12))
      #expect(isClose(r.pValue, e.p_value, relativeTolerance: 1e-9), "look \(r.look)")
      #expect(isClose(r.runningPValue, e.running_p_value, relativeTolerance: 1e-9), "look \(r.look)")
      #expect(isClose(r.interval.lower, e.ci_low, relativeTolerance: 1e-9, absoluteTolerance: 1e-15))
      #expect(isClose(r.interval.upper, e.ci_high, relativeTolerance: 1e-9, absoluteTolerance: 1e-15))
      #expect(isClose(r.runningInterval.lower, e.running_ci_low, relativeTolerance: 1e-9, absoluteTolerance: 1e-15))
      #expect(isClose(r.runningInterval.upper, e.running_ci_high, relativeTolerance: 1e-9, absoluteTolerance: 1e-15))
      #expect(r.intervalsDisjoint == e.disjoint)
      #expect(r.rejects == (e.running_p_value <= c.alpha))
    }
  }

  /// The accumulating API and the one-look `MixtureSPRT` (branch stats-tests) share the formula.
  @Test(
    arguments: try Fixture<AlwaysValidCase>.load("sequential_always_valid", from: .module).filter { $0.kind == "mean" })
  func agreesWithOneLookMixtureSPRT(_ c: AlwaysValidCase) throws {
    let results = try AlwaysValidInference(mixingStandardDeviation: c.tau, alpha: c.alpha).results(try c.estimates())
    for (look, r) in zip(c.looks, results) {
      let oneLook = try MixtureSPRT(
        control: SampleSummary(count: look[0][0], mean: look[0][1], standardDeviation: look[0][2]),
        treatment: SampleSummary(count: look[1][0], mean: look[1][1], standardDeviation: look[1][2]),
        mixingStandardDeviation: c.tau, confidenceLevel: 1 - c.alpha
      ).result()
      #expect(isClose(r.pValue, oneLook.pValue, relativeTolerance: 1e-12))
      #expect(isClose(r.interval.lower, oneLook.interval.lower, relativeTolerance: 1e-12))
      #expect(isClose(r.interval.upper, oneLook.interval.upper, relativeTolerance: 1e-12))
    }
  }

  /// Running p never rises, running intervals never widen, whatever the data (seeded random walks).
  @Test func runningResultsAreMonotone() throws {
    var generator = SplitMix64(seed: 5)
    for trial in 0..<50 {
      var looks: [CumulativeEstimate] = []
      var sum = 0.0
      for k in 1...12 {
        sum += Double.random(in: -1...1.2, using: &generator)
        looks.append(try CumulativeEstimate(estimate: sum / Double(k), variance: 1 / Double(k)))
      }
      let tau = Double.random(in: 0.05...3, using: &generator)
      let results = try AlwaysValidInference(mixingStandardDeviation: tau, alpha: 0.05).results(looks)
      for (a, b) in zip(results, results.dropFirst()) {
        #expect(b.runningPValue <= a.runningPValue, "trial \(trial)")
        if !b.intervalsDisjoint {
          #expect(
            b.runningInterval.lower >= a.runningInterval.lower && b.runningInterval.upper <= a.runningInterval.upper)
        }
      }
      for r in results {
        #expect(r.pValue >= 0 && r.pValue <= 1)
        #expect(r.interval.contains(r.estimate))
      }
    }
  }

  @Test func rejectsBadInput() {
    #expect(throws: StatsError.self) { try AlwaysValidInference(mixingStandardDeviation: 0) }
    #expect(throws: StatsError.self) { try AlwaysValidInference(mixingStandardDeviation: 1, alpha: 1) }
    #expect(throws: StatsError.self) { try CumulativeEstimate(estimate: 0.1, variance: 0) }
    // No conversions in either arm: the variance of the difference is 0, no evidence yet.
    #expect(throws: StatsError.self) {
      try CumulativeEstimate(
        control: BinomialSummary(successes: 0, trials: 100), treatment: BinomialSummary(successes: 0, trials: 100))
    }
  }

  @Test(arguments: try Fixture<ClopperPearsonCase>.load("clopper_pearson", from: .module))
  func clopperPearsonMatchesScipy(_ c: ClopperPearsonCase) throws {
    let ci = try ClopperPearson.interval(successes: c.successes, trials: c.trials, confidenceLevel: c.confidence_level)
    #expect(isClose(ci.lower, c.low, relativeTolerance: 1e-9, absoluteTolerance: 1e-15))
    #expect(isClose(ci.upper, c.high, relativeTolerance: 1e-9, absoluteTolerance: 1e-15))
  }
}
