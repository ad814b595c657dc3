import StrataStats
import StrataTestSupport
import Testing

struct TeaTastingCase: Decodable, CustomTestStringConvertible, Sendable {
  struct Comparison: Decodable, Sendable {
    struct Exact: Decodable, Sendable { var difference, standard_error, statistic: Double }
    var treatment: Int
    var control_estimate, treatment_estimate, difference, ci_lower, ci_upper: Double
    var relative, relative_ci_lower, relative_ci_upper, p_value, statistic: Double
    var exact: Exact?
  }
  var name: String
  var metric: DeltaMetric
  var covariate: Bool
  var arms: [[[Double]]]
  var comparisons: [Comparison]
  var theta_within: Double?
  var ols_differences: [Double]?
  var testDescription: String { name }

  func moments() throws -> [MomentMatrix] { try arms.map { try MomentMatrix(rows: $0) } }

  /// Control and treatment estimates as tea-tasting forms them: θ from the two compared arms together.
  func pair(_ moments: [MomentMatrix], _ treatment: Int) throws -> [ArmEstimate] {
    let pair = [moments[0], moments[treatment]]
    if covariate {
      return try CovariateAdjustment(arms: pair, metric: metric, coefficient: .combinedSample).result().arms
    }
    return try pair.map { try metric.estimate($0) }
  }
}

@Suite("Ratio metrics and CUPED against tea-tasting 2.0")
struct TeaTastingReferenceTests {
  static let cases = (try? Fixture<TeaTastingCase>.load("variance_reduction_tea_tasting", from: .module)) ?? []

  @Test("The fixture holds at least 20 data sets with 2 to 4 arms, ratios, covariates and means of 1e9")
  func fixtureCoverage() {
    #expect(Self.cases.count >= 20)
    #expect(Set(Self.cases.map(\.arms.count)) == [2, 3, 4])
    #expect(Self.cases.contains { $0.metric == .ratio && $0.covariate })
    #expect(Self.cases.contains { $0.comparisons.contains { $0.exact != nil } })
  }

  /// Estimates, lifts, intervals and p-values to 1e-9 relative.
  ///
  /// tea-tasting: combined-sample θ, Welch t, relative interval on the log scale. Means of 1e9: see
  /// `hugeMeans`.
  @Test(arguments: cases.filter { !$0.comparisons.contains { $0.exact != nil } })
  func matchesTeaTasting(_ c: TeaTastingCase) throws {
    let moments = try c.moments()
    for reference in c.comparisons {
      let arms = try c.pair(moments, reference.treatment)
      let r = try LiftComparison(control: arms[0], treatment: arms[1], relativeMethod: .logScale).result()
      let scale = r.standardError
      #expect(isClose(arms[0].estimate, reference.control_estimate, relativeTolerance: 1e-9))
      #expect(isClose(arms[1].estimate, reference.treatment_estimate, relativeTolerance: 1e-9))
      #expect(isClose(r.difference, reference.difference, relativeTolerance: 1e-9, absoluteTolerance: 1e-12 * scale))
      #expect(isClose(r.interval.lower, reference.ci_lower, relativeTolerance: 1e-9, absoluteTolerance: 1e-12 * scale))
      #expect(isClose(r.interval.upper, reference.ci_upper, relativeTolerance: 1e-9, absoluteTolerance: 1e-12 * scale))
      #expect(isClose(r.test.statistic, reference.statistic, relativeTolerance: 1e-9, absoluteTolerance: 1e-12))
      #expect(isClose(r.test.pValue, reference.p_value, relativeTolerance: 1e-9))
      let relative = try #require(r.relative)
      #expect(isClose(relative.estimate, reference.relative, relativeTolerance: 1e-9, absoluteTolerance: 1e-14))
      #expect(isClose(relative.interval.lower, reference.relative_ci_lower, relativeTolerance: 1e-9))
      #expect(isClose(relative.interval.upper, reference.relative_ci_upper, relativeTolerance: 1e-9))
    }
  }

  /// Means of 1e9: the difference to a few units of the means' rounding, standard errors to 1e-9.
  ///
  /// A mean of 1e9 is held in a double to 1.2e-7, so two tools' differences of two such means (0.1 to 0.3
  /// here) agree to a few of those units, not to 1e-9 of the difference. The fixture records the exact
  /// difference, standard error and statistic (rational moments, mpmath); the generator checks tea-tasting
  /// is within 4 units of 1.2e-7 of it, and this holds Strata to the same bound, and its standard error to
  /// 1e-9 of the exact one.
  @Test(arguments: cases.filter { $0.comparisons.contains { $0.exact != nil } })
  func hugeMeans(_ c: TeaTastingCase) throws {
    let moments = try c.moments()
    for reference in c.comparisons {
      let exact = try #require(reference.exact)
      let arms = try c.pair(moments, reference.treatment)
      let r = try LiftComparison(control: arms[0], treatment: arms[1], relativeMethod: .logScale).result()
      let units = 4 * arms[0].estimate.magnitude.ulp
      #expect(isClose(r.standardError, exact.standard_error, relativeTolerance: 1e-9))
      #expect(abs(r.difference - exact.difference) <= units)
      #expect(abs(r.test.statistic - exact.statistic) <= units / r.standardError)
      #expect(isClose(arms[0].estimate, reference.control_estimate, relativeTolerance: 1e-15))
      #expect(abs(r.interval.lower - reference.ci_lower) <= 2 * units)
      // p moves with the statistic at most by 2·density ≤ 0.8 per unit of t.
      #expect(abs(r.test.pValue - reference.p_value) <= 0.8 * 2 * units / r.standardError + 1e-12)
    }
  }

  /// Strata's own θ (pooled within arms, over all arms) is statsmodels' common OLS slope of y on the arm
  /// indicators and x, and its adjusted differences are that regression's arm coefficients.
  @Test(arguments: cases.filter(\.covariate))
  func withinArmThetaIsTheOLSSlope(_ c: TeaTastingCase) throws {
    let adjusted = try CovariateAdjustment(arms: c.moments(), metric: c.metric).result()
    #expect(isClose(adjusted.theta, try #require(c.theta_within), relativeTolerance: 1e-9))
    if c.metric == .mean {
      for (index, expected) in try #require(c.ols_differences).enumerated() {
        let difference = adjusted.arms[index + 1].estimate - adjusted.arms[0].estimate
        // Means of 1e9: the difference is known to a few units of the means' rounding (see `hugeMeans`).
        let units = 4 * adjusted.arms[0].estimate.magnitude.ulp
        #expect(isClose(difference, expected, relativeTolerance: 1e-9, absoluteTolerance: units))
      }
    }
  }
}
