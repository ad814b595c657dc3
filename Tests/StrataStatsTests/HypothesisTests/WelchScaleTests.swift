import StrataStats
import Testing

/// Welch's ν does not change when both arms are scaled alike; its squares of variances overflowed from standard
/// deviations of about 1e77 (and lost precision or vanished below about 1e-76), and the test failed with a NaN ν although
/// `SampleSummary` accepts standard deviations up to 1e150.
@Suite("Welch's t at any scale SampleSummary accepts")
struct WelchScaleTests {
  func test(scale: Double) throws -> TTestResult {
    try WelchTTest(
      control: SampleSummary(count: 50, mean: 1.0 * scale, standardDeviation: 0.3 * scale),
      treatment: SampleSummary(count: 60, mean: 1.1 * scale, standardDeviation: 0.5 * scale)
    ).result()
  }

  @Test(arguments: [1e77, 1e100, 1e140, 1e-76, 1e-78, 1e-82, 1e-120])
  func hugeAndTinyArmsGiveTheUnitScalesTest(scale: Double) throws {
    let unit = try test(scale: 1)
    let scaled = try test(scale: scale)
    #expect(scaled.degreesOfFreedom.isFinite)
    #expect(abs(scaled.degreesOfFreedom - unit.degreesOfFreedom) <= 1e-9 * unit.degreesOfFreedom, "\(scale)")
    #expect(abs(scaled.test.pValue - unit.test.pValue) <= 1e-9, "\(scale)")
  }

  /// Arms whose variance of the difference is subnormal but keeps six or more digits are still tested, as before the
  /// refusal of vanishing ones: `strata analyze` answered such data with the unit scale's numbers, and must go on.
  @Test(arguments: [1e-150, 1e-155, 1e-157])
  func subnormalVarianceWithDigitsLeftIsTested(scale: Double) throws {
    let unit = try test(scale: 1)
    let scaled = try test(scale: scale)
    #expect(abs(scaled.test.pValue - unit.test.pValue) <= 1e-6, "\(scale)")
  }

  /// Standard deviations that are themselves subnormal (fewer digits than a double holds) are refused, naming the
  /// arm; normal ones of any magnitude are rescaled by a power of two and tested exactly (`MagnitudeTests`), 1e-161
  /// included, which was refused before.
  @Test func vanishingVarianceIsRefused() throws {
    #expect(throws: StatsError.self) { try test(scale: 1e-310) }
    let unit = try test(scale: 1)
    let tiny = try test(scale: 1e-161)
    #expect(abs(tiny.test.pValue - unit.test.pValue) <= 1e-12)
  }

  /// Within the range where the direct formula is finite, its value is kept bit for bit.
  @Test func ordinaryArmsKeepTheDirectFormula() throws {
    let a = 0.3 * 0.3 / 50
    let b = 0.5 * 0.5 / 60
    let direct = (a + b) * (a + b) / (a * a / 49 + b * b / 59)
    #expect(try test(scale: 1).degreesOfFreedom == direct)
  }
}
