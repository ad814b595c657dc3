import Foundation
import StrataTestSupport
import Testing

@testable import StrataStats

/// The shared discretisation of p(τ | y) behind the calibrated intervals (the scipy fixture in
/// `CalibratedIntervalTests` checks the intervals themselves).
@Suite("Posterior of τ on a grid in log τ")
struct TauPosteriorTests {
  /// A campaign like `strata simulate pooling` draws: true effects N(0.02, τ²), standard errors from 0.005
  /// to 0.03 evenly on the log scale (Box–Muller over SplitMix64).
  static func campaign(segments: Int, tau: Double, seed: UInt64) -> (estimates: [Double], variances: [Double]) {
    var random = SplitMix64(seed: seed)
    func normal() -> Double {
      let u = (Double(random.next() >> 11) + 0.5) / Double(1 << 53)
      let v = Double(random.next() >> 11) / Double(1 << 53)
      return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
    let errors = (0..<segments).map { 0.005 * pow(6, Double($0) / Double(segments - 1)) }
    return (errors.map { 0.02 + tau * normal() + $0 * normal() }, errors.map { $0 * $0 })
  }

  @Test(arguments: [(3, 0.01), (12, 0.0), (12, 0.01), (40, 0.005), (500, 0.01), (2_000, 0.0)])
  func weightsAreANormalisedRuleAndAFinerStepAgrees(segments: Int, tau: Double) throws {
    let (y, v) = Self.campaign(segments: segments, tau: tau, seed: UInt64(segments) * 31 + 7)
    let posterior = try TauPosterior(estimates: y, variances: v)
    #expect(isClose(posterior.weights.reduce(0, +), 1, relativeTolerance: 1e-14))
    #expect(isClose(posterior.coarseWeights.reduce(0, +), 1, relativeTolerance: 1e-14))
    #expect(posterior.tauSquared.count < 2_000, "\(posterior.tauSquared.count) nodes")
    // A quarter of the step, an independent grid (different nodes, different walk): the same intervals.
    let fine = try TauPosterior(estimates: y, variances: v, step: posterior.step / 4)
    let critical = try Normal.inverseSurvival(0.025)
    for k in stride(from: 0, to: segments, by: max(1, segments / 25)) {
      let coarse = try posterior.interval(estimate: y[k], variance: v[k], level: 0.95, critical: critical)
      let finer = try fine.interval(estimate: y[k], variance: v[k], level: 0.95, critical: critical)
      // The 2h rule may be off by far more (2e-6 at 2,000 segments with one shared effect: the model then
      // halves the step), but the h rule itself agrees with h/4.
      #expect(coarse.coarseGap < 1e-4)
      #expect(isClose(coarse.interval.lower, finer.interval.lower, relativeTolerance: 0, absoluteTolerance: 1e-11))
      #expect(isClose(coarse.interval.upper, finer.interval.upper, relativeTolerance: 0, absoluteTolerance: 1e-11))
    }
  }

  @Test("Every segment count gets calibrated intervals: 2,000 segments, in input order")
  func thousandsOfSegments() throws {
    let (y, v) = Self.campaign(segments: 2_000, tau: 0.008, seed: 11)
    let result = try RandomEffectsModel(
      estimates: y, variances: v, calibrated: true, calibratedMethod: .hierarchicalBayes
    ).result()
    // Reversing the segments reverses the intervals: nothing depends on a segment's position.
    let reversed = try RandomEffectsModel(
      estimates: y.reversed(), variances: v.reversed(), calibrated: true, calibratedMethod: .hierarchicalBayes
    ).result()
    for (s, r) in zip(result.shrunken, reversed.shrunken.reversed()) {
      let interval = try #require(s.calibratedInterval)
      let other = try #require(r.calibratedInterval)
      #expect(interval.contains(s.estimate))
      #expect(isClose(interval.lower, other.lower, relativeTolerance: 0, absoluteTolerance: 1e-12))
      #expect(isClose(interval.upper, other.upper, relativeTolerance: 0, absoluteTolerance: 1e-12))
    }
  }

  @Test("With τ well identified, the calibrated interval tends to the BLUP one")
  func manySegmentsApproachTheBLUP() throws {
    let (y, v) = Self.campaign(segments: 2_000, tau: 0.02, seed: 12)
    let result = try RandomEffectsModel(
      estimates: y, variances: v, calibrated: true, calibratedMethod: .hierarchicalBayes
    ).result()
    for s in result.shrunken {
      let interval = try #require(s.calibratedInterval)
      let width = interval.upper - interval.lower
      let blupWidth = s.interval.upper - s.interval.lower
      #expect(abs(width / blupWidth - 1) < 0.02, "\(width) against \(blupWidth)")
    }
  }

  @Test("τ drawn from a half-normal and analysed under it: the calibrated intervals cover at 95% on average")
  func simulationBasedCalibration() throws {
    let result = try PoolingSimulation(
      segments: 12, tau: 0, campaigns: 400, seed: 3, calibrated: true, tauPriorScale: 0.01,
      calibratedMethod: .hierarchicalBayes
    ).run()
    let coverage = try #require(result.calibratedCoverage)
    let se = try #require(result.calibratedCoverageStandardError)
    // Seeded, so deterministic; 4 Monte Carlo SEs (about 2 points) is the bound a correct computation meets.
    #expect(abs(coverage - 0.95) < 4 * se, "coverage \(coverage) ± \(se)")
    #expect(se < 0.006)
    #expect(throws: StatsError.self) {
      try RandomEffectsModel(estimates: [1, 2, 3], variances: [1, 1, 1], tauPrior: .halfNormal(scale: 0))
    }
  }

  /// A variance beyond the double range made the scan of scales run to ∞, for ever (review R6, reached through a
  /// rescaling that overflowed): now a numerical error.
  @Test("A variance of ∞ is refused, not scanned for ever")
  func infiniteVarianceRefused() {
    #expect(throws: StatsError.self) {
      try TauPosterior(estimates: [0, 1, 2], variances: [1, 1, .infinity])
    }
  }

  /// Weights that sum to 1 + 2⁻⁵² in the order they are added (normalised, as the rule's are, to rounding): the chance
  /// of a sign every component is sure of is 1, not 1.0000000000000002 (the warehouse tests saw a `chance_to_win` of
  /// 1.0000000000000007 from the mixture).
  @Test func aSureSignIsAProbabilityOfOneNotMore() {
    let weights = [
      0.3372324773319348, 0.1746221632523333, 0.307581160570602, 0.0008497956969693919, 0.17971440314816067,
    ]
    #expect(weights.reduce(0, +) > 1)
    let sure = TauPosterior.SegmentMixture(
      centers: Array(repeating: 40, count: 5), spreads: Array(repeating: 1, count: 5), weights: weights,
      coarseWeights: weights
    ).summary()
    #expect(sure.above == 1)
    #expect(sure.below < 1e-300)
    let sureBelow = TauPosterior.SegmentMixture(
      centers: Array(repeating: -40, count: 5), spreads: Array(repeating: 1, count: 5), weights: weights,
      coarseWeights: weights
    ).summary()
    #expect(sureBelow.below == 1)
  }
}
