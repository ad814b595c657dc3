import Testing

@testable import StrataAnalysis

/// A segment-vs-rest contrast's ν is the same at any scale of the data: the squares of its four terms overflowed
/// from standard deviations of about 1e77 (and vanished below about 1e-77), and the contrast was dropped.
@Suite("Segment-vs-rest contrasts at extreme scales")
struct SegmentContrastScaleTests {
  func contrast(scale: Double) -> SegmentContrast? {
    func arm(_ count: Double, _ mean: Double, _ sd: Double) -> RestArms.Arm {
      RestArms.Arm(count: count, mean: mean * scale, standardDeviation: sd * scale)
    }
    return SegmentContrast.contrast(
      treatment: "b", segment: "north", here: (arm(40, 1.0, 0.3), arm(45, 1.3, 0.4)),
      rest: (arm(400, 1.0, 0.35), arm(410, 1.05, 0.5)))
  }

  @Test(arguments: [1e77, 1e100, 1e140, 1e-76, 1e-78, 1e-100])
  func extremeScalesGiveTheUnitScalesContrast(scale: Double) throws {
    let unit = try #require(contrast(scale: 1))
    let scaled = try #require(contrast(scale: scale), "dropped at \(scale)")
    #expect(abs(scaled.degreesOfFreedom - unit.degreesOfFreedom) <= 1e-9 * unit.degreesOfFreedom, "\(scale)")
    #expect(abs(scaled.pValue - unit.pValue) <= 1e-9, "\(scale)")
  }
}
