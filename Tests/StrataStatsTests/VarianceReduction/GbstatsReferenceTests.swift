import StrataStats
import StrataTestSupport
import Testing

struct GbstatsCase: Decodable, CustomTestStringConvertible, Sendable {
  struct Run: Decodable, Sendable {
    var difference_type: String
    var proportion_statistic: Bool
    var error_message: String?
    var expected, ci_lower, ci_upper, p_value, p_value_sf, standard_error, dof: Double?
  }
  struct Exact: Decodable, Sendable { var difference_type: String, expected, standard_error, dof, p_value: Double }
  struct Comparison: Decodable, Sendable {
    var treatment: Int
    var runs: [Run]
    var exact: [Exact]?
  }
  var name: String
  var comparisons: [Comparison]
  var testDescription: String { name }
}

/// gbstats 0.8.0's frequentist t test (`TwoSidedTTest`) on the same data sets as tea-tasting (the units
/// come from that fixture, matched by name): combined-sample θ, Welch t, the delta-method relative lift.
@Suite("Ratio metrics and CUPED against gbstats 0.8.0")
struct GbstatsReferenceTests {
  static let cases = (try? Fixture<GbstatsCase>.load("variance_reduction_gbstats", from: .module)) ?? []
  static let data = Dictionary(
    uniqueKeysWithValues: TeaTastingReferenceTests.cases.map { ($0.name, $0) })

  @Test func fixtureCoverage() {
    #expect(Self.cases.count >= 20)
    #expect(Self.cases.allSatisfy { Self.data[$0.name] != nil })
  }

  @Test(arguments: cases)
  func matchesGbstats(_ c: GbstatsCase) throws {
    let source = try #require(Self.data[c.name])
    let moments = try source.moments()
    for comparison in c.comparisons {
      let arms = try source.pair(moments, comparison.treatment)
      for run in comparison.runs {
        if run.error_message != nil {
          // gbstats gives up on means of 1e9 (its raw sums of squares cancel); `exact` is checked below.
          #expect(comparison.exact != nil)
          continue
        }
        let (estimate, standardError, dof, interval, pValue) = try gbstatsQuantities(arms, run, source.covariate)
        let scale = standardError
        #expect(
          isClose(estimate, try #require(run.expected), relativeTolerance: 1e-9, absoluteTolerance: 1e-12 * scale))
        #expect(isClose(standardError, try #require(run.standard_error), relativeTolerance: 1e-9))
        #expect(isClose(dof, try #require(run.dof), relativeTolerance: 1e-9))
        #expect(
          isClose(interval.lower, try #require(run.ci_lower), relativeTolerance: 1e-9, absoluteTolerance: 1e-12 * scale)
        )
        #expect(
          isClose(interval.upper, try #require(run.ci_upper), relativeTolerance: 1e-9, absoluteTolerance: 1e-12 * scale)
        )
        // gbstats' p is 2·(1 − cdf): below 1e-6 it has lost digits, so there the fixture's scipy t.sf of
        // gbstats' own statistic is the reference.
        let reference = try #require(run.p_value) > 1e-6 ? run.p_value : run.p_value_sf
        #expect(isClose(pValue, try #require(reference), relativeTolerance: 1e-9))
      }
      for exact in comparison.exact ?? [] {
        let run = GbstatsCase.Run(difference_type: exact.difference_type, proportion_statistic: false)
        let (estimate, standardError, dof, _, pValue) = try gbstatsQuantities(arms, run, source.covariate)
        let units = 4 * arms[0].estimate.magnitude.ulp / (exact.difference_type == "relative" ? arms[0].estimate : 1)
        #expect(abs(estimate - exact.expected) <= units)
        #expect(isClose(standardError, exact.standard_error, relativeTolerance: 1e-9))
        #expect(isClose(dof, exact.dof, relativeTolerance: 1e-9))
        #expect(abs(pValue - exact.p_value) <= 0.8 * 2 * units / standardError + 1e-12)
      }
    }
  }

  /// gbstats' quantities from Strata's arm estimates.
  ///
  /// Without a covariate they are `LiftComparison`'s own
  /// (delta-method relative lift, Welch ν of the absolute difference). Two conventions differ and are
  /// rebuilt here from Strata's per-arm values: gbstats' relative CUPED lift divides the adjusted
  /// difference by the unadjusted control mean (Strata divides by the adjusted one), and its
  /// ProportionStatistic uses the variance p(1 − p) (ddof 0) where Strata uses the sample variance.
  func gbstatsQuantities(_ arms: [ArmEstimate], _ run: GbstatsCase.Run, _ covariate: Bool) throws
    -> (Double, Double, Double, ConfidenceInterval, Double)
  {
    var control = arms[0]
    var treatment = arms[1]
    if run.proportion_statistic {
      for arm in [0, 1] {
        let a = arms[arm]
        let p = a.estimate
        let rescaled = ArmEstimate(
          count: a.count, estimate: p, variance: p * (1 - p) / a.count, unadjustedEstimate: p,
          unadjustedVariance: p * (1 - p) / a.count)
        if arm == 0 { control = rescaled } else { treatment = rescaled }
      }
    }
    let r = try LiftComparison(control: control, treatment: treatment).result()
    let dof = try #require(r.degreesOfFreedom)
    guard run.difference_type == "relative" else {
      return (r.difference, r.standardError, dof, r.interval, r.test.pValue)
    }
    if !covariate {
      let relative = try #require(r.relative)
      return (
        relative.estimate, relative.standardError, dof, relative.interval,
        2 * (try StudentT(degreesOfFreedom: dof).survival(abs(relative.estimate / relative.standardError)))
      )
    }
    let ua = control.unadjustedEstimate
    let ub = treatment.unadjustedEstimate
    let estimate = r.difference / ua
    let standardError = (treatment.variance / (ua * ua) + control.variance * (ub / ua) * (ub / ua) / (ua * ua))
      .squareRoot()
    let t = try StudentT(degreesOfFreedom: dof)
    let q = try t.inverseSurvival(0.025)
    let interval = ConfidenceInterval(
      lower: estimate - q * standardError, upper: estimate + q * standardError, confidenceLevel: 0.95)
    return (estimate, standardError, dof, interval, 2 * (try t.survival(abs(estimate / standardError))))
  }
}
