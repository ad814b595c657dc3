import StrataStats
import StrataTestSupport
import Testing

@Suite("mSPRT matches its closed form at 50 digits; corrections match statsmodels")
struct SequentialAndCorrectionFixtureTests {
  @Test(arguments: try HypothesisCase.load("msprt"))
  func mixtureSPRTMatchesClosedForm(_ c: HypothesisCase) throws {
    let r = try MixtureSPRT(
      control: c.summary(c.control), treatment: c.summary(c.treatment), mixingStandardDeviation: try #require(c.tau),
      confidenceLevel: try #require(c.confidence)
    ).result()
    #expect(isClose(r.pValue, try #require(c.pValue), relativeTolerance: 1e-12))
    #expect(isClose(r.likelihoodRatio, try #require(c.likelihoodRatio).value, relativeTolerance: 1e-12))
    #expect(isClose(r.difference, try #require(c.difference), relativeTolerance: 1e-12, absoluteTolerance: 1e-15))
    // The interval ends inherit the rounding of x̄_b − x̄_a (e.g. 5.002 − 5.0): absolute floor 1e-15.
    #expect(intervalIsClose(r.interval, c.interval?.map { $0 }, relativeTolerance: 1e-12, absoluteTolerance: 1e-15))
  }

  @Test(arguments: try HypothesisCase.load("correction"))
  func correctionsMatchMultipletests(_ c: HypothesisCase) throws {
    let name = try #require(c.method)
    let method = try #require(MultipleTestingCorrection(rawValue: name))
    let adjusted = try method.adjust(try #require(c.pValues))
    let expected = try #require(c.adjusted)
    #expect(adjusted.count == expected.count)
    #expect(zip(adjusted, expected).allSatisfy { isClose($0, $1, relativeTolerance: 1e-15) })
  }
}
