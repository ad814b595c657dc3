import StrataStats
import StrataTestSupport
import Testing

@Suite("Proportions and t tests match statsmodels and scipy")
struct ProportionsAndTTestFixtureTests {
  @Test(arguments: try HypothesisCase.load("proportions"))
  func proportionsMatchStatsmodels(_ c: HypothesisCase) throws {
    let r = try TwoProportionZTest(
      control: c.binomial(c.control), treatment: c.binomial(c.treatment), alternative: c.parsedAlternative(),
      confidenceLevel: try #require(c.confidence)
    ).result()
    #expect(isClose(r.test.statistic, try #require(c.statistic).value, relativeTolerance: 1e-10))
    #expect(isClose(r.test.pValue, try #require(c.pValue), relativeTolerance: 1e-9))
    #expect(isClose(r.controlRate, try #require(c.controlRate), relativeTolerance: 1e-15))
    #expect(isClose(r.treatmentRate, try #require(c.treatmentRate), relativeTolerance: 1e-15))
    // Differences of nearly equal rates: compare with an absolute floor at the rates' rounding level.
    #expect(isClose(r.absoluteLift, try #require(c.difference), relativeTolerance: 1e-10, absoluteTolerance: 1e-16))
    #expect(intervalIsClose(r.absoluteInterval, c.interval, relativeTolerance: 1e-9, absoluteTolerance: 1e-16))
    #expect(isClose(r.relativeLift ?? .nan, c.relative?.value ?? .nan, relativeTolerance: 1e-10) || (r.relativeLift == nil && c.relative == nil))
    #expect(intervalIsClose(r.relativeInterval, c.relativeInterval, relativeTolerance: 1e-9, absoluteTolerance: 1e-15))
    #expect((r.relativeLift == nil) == r.notes.contains { $0.contains("control rate is 0") })
    #expect((r.treatmentRate == 0 && r.controlRate > 0) == r.notes.contains { $0.contains("treatment rate is 0") })
  }

  @Test(arguments: try HypothesisCase.load("ttest"))
  func tTestsMatchScipy(_ c: HypothesisCase) throws {
    let alternative = try c.parsedAlternative()
    let confidence = try #require(c.confidence)
    let equalVariances = try #require(c.equalVar as Bool?)
    let r: TTestResult
    if let rawControl = c.rawControl, let rawTreatment = c.rawTreatment {
      r = try equalVariances
        ? StudentTTest(control: rawControl, treatment: rawTreatment, alternative: alternative, confidenceLevel: confidence).result()
        : WelchTTest(control: rawControl, treatment: rawTreatment, alternative: alternative, confidenceLevel: confidence).result()
    } else {
      let a = try c.summary(c.control)
      let b = try c.summary(c.treatment)
      r = try equalVariances
        ? StudentTTest(control: a, treatment: b, alternative: alternative, confidenceLevel: confidence).result()
        : WelchTTest(control: a, treatment: b, alternative: alternative, confidenceLevel: confidence).result()
    }
    // Raw samples are summarized by Welford in Swift and exactly (rationals) in the fixture. A mean near 1e9
    // is only representable to ulp(1e9) ≈ 1.2e-7, which is 6e-7 of that case's difference of 0.2, so raw
    // cases are held to 1e-5: enough to catch the sum-of-squares cancellation Welford exists to avoid.
    let summaryTolerance = c.rawControl == nil ? 1e-12 : 1e-5
    #expect(isClose(r.test.statistic, try #require(c.statistic).value, relativeTolerance: max(1e-10, summaryTolerance)))
    #expect(isClose(r.degreesOfFreedom, try #require(c.df), relativeTolerance: max(1e-11, summaryTolerance)))
    // GSL's Student t tail is accurate to ~5e-7 relative far out (FIELD-NOTES: t = 30, ν = 100); these
    // cases reach t ≈ 15 (p ≈ 2e-27), so p is held to 1e-6 rather than 1e-9.
    #expect(isClose(r.test.pValue, try #require(c.pValue), relativeTolerance: max(1e-6, summaryTolerance)))
    #expect(isClose(r.difference, try #require(c.difference), relativeTolerance: max(1e-12, summaryTolerance)))
    #expect(intervalIsClose(r.interval, c.interval, relativeTolerance: max(1e-9, summaryTolerance)))
    if let relative = c.relative {
      #expect(isClose(r.relativeLift ?? .nan, relative.value, relativeTolerance: max(1e-10, summaryTolerance)))
      #expect(intervalIsClose(r.relativeInterval, c.relativeInterval, relativeTolerance: max(1e-9, summaryTolerance)))
    } else {
      #expect(r.relativeLift == nil && r.relativeInterval == nil)
    }
  }
}
