import StrataTestSupport
import Testing

@testable import StrataStats

struct MorrisCase: Decodable, CustomTestStringConvertible, Sendable {
  var name: String
  var estimates, variances: [Double]
  var confidence_level: Double
  var a_hat, mean: Double
  var shrinkage, centre, se, low, high: [Double]
  var testDescription: String { name }
}

@Suite("Morris (1983) segment intervals")
struct MorrisIntervalTests {
  /// An mpmath computation at 50 digits, written from the paper (Scripts/fixtures/random_effects_morris.py):
  /// Â by bisection of the equivalent Paule–Mandel equation there, by Brent's method here.
  @Test(arguments: try Fixture<MorrisCase>.load("random_effects_morris", from: .module))
  func matchesMpmath(_ c: MorrisCase) throws {
    let model = try RandomEffectsModel(
      estimates: c.estimates, variances: c.variances, confidenceLevel: c.confidence_level, calibrated: true,
      calibratedMethod: .morris)
    let fit = try #require(try model.morrisFit())
    let scale = (c.variances.max() ?? 1).squareRoot()
    let close = { (a: Double, b: Double) in isClose(a, b, relativeTolerance: 1e-10, absoluteTolerance: 1e-12 * scale) }
    #expect(isClose(fit.tauSquared, c.a_hat, relativeTolerance: 1e-10), "Â \(fit.tauSquared) vs \(c.a_hat)")
    #expect(close(fit.mean, c.mean), "μ̂ \(fit.mean) vs \(c.mean)")
    for k in c.estimates.indices {
      #expect(isClose(fit.shrinkage[k], c.shrinkage[k], relativeTolerance: 1e-10), "B[\(k)]")
      #expect(close(fit.centre[k], c.centre[k]), "centre[\(k)]")
      #expect(isClose(fit.standardError[k], c.se[k], relativeTolerance: 1e-10), "s[\(k)]")
      #expect(close(fit.intervals[k].lower, c.low[k]), "low[\(k)] \(fit.intervals[k].lower) vs \(c.low[k])")
      #expect(close(fit.intervals[k].upper, c.high[k]), "high[\(k)] \(fit.intervals[k].upper) vs \(c.high[k])")
    }
    let result = try model.result()
    #expect(result.calibratedMethod == .morris)
    #expect(result.shrunken.map { $0.calibratedInterval } == fit.intervals.map { Optional($0) })
  }

  @Test("Equal variances, K = 4: B = (K − 3) v / Σ(yₖ − ȳ)², by hand")
  func equalVariancesByHand() throws {
    let y = [0.10, -0.35, 0.62, 0.05]
    let fit = try #require(
      try RandomEffectsModel(estimates: y, variances: [0.01, 0.01, 0.01, 0.01], calibratedMethod: .morris).morrisFit())
    let mean = y.reduce(0, +) / 4
    let spread = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    #expect(fit.shrinkage.allSatisfy { isClose($0, 0.01 / spread, relativeTolerance: 1e-13) })
    #expect(isClose(fit.tauSquared, spread / 3 - 0.01, relativeTolerance: 1e-12))
  }

  @Test("Three segments: no Morris interval; the model falls back to hierarchical Bayes")
  func threeSegmentsFallBack() throws {
    let model = try RandomEffectsModel(
      estimates: [1.2, 0.8, 2.5], variances: [0.09, 0.04, 0.25], calibrated: true, calibratedMethod: .morris)
    #expect(try model.morrisFit() == nil)
    let result = try model.result()
    #expect(result.calibratedMethod == .hierarchicalBayes)
    let flat = try RandomEffectsModel(
      estimates: [1.2, 0.8, 2.5], variances: [0.09, 0.04, 0.25], calibrated: true, calibratedMethod: .hierarchicalBayes
    ).result()
    #expect(result.shrunken == flat.shrunken)
    let two = try RandomEffectsModel(
      estimates: [0.1, 0.3], variances: [0.01, 0.02], calibrated: true, calibratedMethod: .morris
    ).result()
    #expect(two.calibratedMethod == nil && two.shrunken.allSatisfy { $0.calibratedInterval == nil })
  }
}
