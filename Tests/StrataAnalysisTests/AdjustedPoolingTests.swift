import Foundation
import StrataAnalysis
import StrataStats
import StrataTestSupport
import Testing

/// Partial pooling of ratio and CUPED-adjusted metrics (basket-bundle's revenue_per_order, a ratio with a ratio
/// covariate, and spend, a mean with a covariate): the pooled inputs are each segment's adjusted lift and its
/// variance, recomputed here from the units by the reference-checked estimators, and the per-segment Bayesian
/// summary under the pooled prior is the closed form of the BLUP's normal posterior (basket-bundle has two
/// segments: no calibrated posterior, which takes over from three; `CalibratedPosteriorTests`).
@Suite("Partial pooling of ratio and CUPED-adjusted estimates")
struct AdjustedPoolingTests {
  static func analysis() throws -> (Analysis, [String: [[Double]]]) {
    let plan = try RatioCovariateAnalyzeTests.plan()
    let units = RatioCovariateAnalyzeTests.units()
    let file = try DataReaderTests.file(RatioCovariateAnalyzeTests.unitLevelCSV(units))
    return (try Analyzer(plan: plan).analyze(try DataReader.read(path: file.path, plan: plan)), units)
  }

  /// The adjusted lift of `bundle` over `control` in `segment`, from the units: the ratio metric reads
  /// [revenue, orders, revenue before, orders before], the CUPED mean [revenue, revenue before].
  static func expectedLift(_ units: [String: [[Double]]], segment: String, ratio: Bool) throws -> LiftResult {
    let arms = try ["control", "bundle"].map { variant in
      let rows = (units["\(variant)/\(segment)"] ?? []).map { ratio ? $0 : [$0[0], $0[2]] }
      return try MomentMatrix(rows: rows)
    }
    let adjusted = try CovariateAdjustment(arms: arms, metric: ratio ? .ratio : .mean).result()
    return try LiftComparison(control: adjusted.arms[0], treatment: adjusted.arms[1]).result()
  }

  @Test("each segment enters the model with its adjusted lift and the adjusted lift's variance")
  func pooledInputsAreTheAdjustedLifts() throws {
    let (analysis, units) = try Self.analysis()
    #expect(analysis.metrics.map(\.metric.name) == ["revenue_per_order", "spend"])
    for metric in analysis.metrics {
      let ratio = metric.metric.name == "revenue_per_order"
      let pooling = try #require(metric.partialPooling.first)
      #expect(metric.partialPooling.count == 1 && pooling.treatment == "bundle")
      #expect(pooling.segments.map(\.segment) == ["new", "loyal"] && pooling.segmentsLeftOut.isEmpty)
      var estimates: [Double] = []
      var variances: [Double] = []
      for segment in pooling.segments {
        let expected = try Self.expectedLift(units, segment: segment.segment, ratio: ratio)
        let comparison = try #require(metric.comparisons.first { $0.segment == segment.segment })
        let adjustment = try #require(comparison.adjustment)
        #expect(comparison.test == (ratio ? "delta-cuped" : "cuped"))
        // The adjusted lift, not the unadjusted one (the covariate moves it).
        #expect(isClose(segment.estimate.raw, expected.difference, relativeTolerance: 1e-10))
        #expect(segment.estimate.raw == adjustment.adjusted.difference)
        #expect(abs(segment.estimate.raw - adjustment.unadjusted.difference) > 1e-6)
        // Its variance is the adjusted one: Var(adjusted treatment) + Var(adjusted control).
        #expect(
          isClose(
            segment.estimate.rawVariance, expected.standardError * expected.standardError, relativeTolerance: 1e-9))
        #expect(
          segment.estimate.rawVariance < adjustment.unadjusted.standardError * adjustment.unadjusted.standardError)
        estimates.append(expected.difference)
        variances.append(expected.standardError * expected.standardError)
      }
      // The model over those inputs is the one checked against metafor.
      let direct = try RandomEffectsModel(estimates: estimates, variances: variances, calibrated: true).result()
      let scale = variances.max() ?? 1
      #expect(
        isClose(pooling.model.tauSquared, direct.tauSquared, relativeTolerance: 1e-8, absoluteTolerance: 1e-12 * scale))
      #expect(isClose(pooling.model.mean, direct.mean, relativeTolerance: 1e-8))
      #expect(isClose(pooling.model.standardError, direct.standardError, relativeTolerance: 1e-8))
      for (s, d) in zip(pooling.segments, direct.shrunken) {
        #expect(isClose(s.estimate.estimate, d.estimate, relativeTolerance: 1e-8))
        #expect(isClose(s.estimate.standardError, d.standardError, relativeTolerance: 1e-8))
      }
    }
  }

  @Test("per segment, the Bayesian summary under the pooled prior is the BLUP's normal posterior in closed form")
  func segmentBayesianSummaryIsTheBLUPPosterior() throws {
    let (analysis, _) = try Self.analysis()
    let level = analysis.plan.confidenceLevel
    let z = (2.0).squareRoot() * Self.inverseErfc(1 - level)
    for metric in analysis.metrics {
      for pooling in metric.partialPooling {
        for segment in pooling.segments {
          let m = segment.estimate.estimate
          let s = segment.estimate.standardError
          let b = segment.bayesian
          // Φ and φ from erfc and exp here, independent of the GSL routines the summary uses.
          let cdf = { (x: Double) in 0.5 * erfc(-x / 2.0.squareRoot()) }
          let density = exp(-0.5 * (m / s) * (m / s)) / (2 * Double.pi).squareRoot()
          #expect(isClose(b.posteriorMean, m, relativeTolerance: 1e-14))
          #expect(isClose(b.posteriorStandardDeviation, s, relativeTolerance: 1e-14))
          #expect(isClose(b.chanceToWin, cdf(m / s), relativeTolerance: 1e-12))
          #expect(isClose(b.riskControl, m * cdf(m / s) + s * density, relativeTolerance: 1e-11))
          #expect(isClose(b.riskTreatment, -m * cdf(-m / s) + s * density, relativeTolerance: 1e-11))
          #expect(isClose(b.credibleInterval.lower, m - z * s, relativeTolerance: 1e-10))
          #expect(isClose(b.credibleInterval.upper, m + z * s, relativeTolerance: 1e-10))
        }
      }
    }
  }

  /// erfc⁻¹ by Newton's method on erfc (for the credible interval's normal quantile).
  static func inverseErfc(_ p: Double) -> Double {
    var x = 1.0
    for _ in 0..<60 {
      let step = (erfc(x) - p) / (-2 / Double.pi.squareRoot() * exp(-x * x))
      x -= step
      if abs(step) < 1e-16 * max(1, abs(x)) { break }
    }
    return x
  }
}
