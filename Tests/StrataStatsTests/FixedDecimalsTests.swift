import Foundation
import StrataStats
import StrataTestSupport
import Testing

/// `FixedDecimals.format` against `String(format: "%.Nf")`, which it replaces in the reports: byte for byte.
@Suite("Fixed decimals")
struct FixedDecimalsTests {
  static func expectSame(_ x: Double, _ digits: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    let expected = String(format: "%.\(digits)f", x)
    let got = FixedDecimals.format(x, digits: digits)
    #expect(got == expected, "\(x.bitPattern) with \(digits) decimals", sourceLocation: sourceLocation)
  }

  /// Exact ties (to even, as the C library rounds), values a unit either side of them, signed zeros, values that
  /// round to zero with a minus, whole numbers, the edge of 64-bit digits, subnormals and non-finite values.
  @Test func edges() {
    var values: [Double] = [
      0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, -0.125, 0.25, 0.75, 1e-300, -1e-300, .leastNonzeroMagnitude,
      -.leastNonzeroMagnitude,
      .leastNormalMagnitude, 0.001, -0.001, 0.0049999, 0.005, 0.015, 0.045, 1.005, 2.675, 99.995, 999_999.5,
      1e15, 1e17, 1.8e19, 1.9e19, 1e20, 1e300, -1e300, .greatestFiniteMagnitude, .nan, .infinity, -.infinity,
      0x1p63, 0x1p64, 0x1p-75, 0x1p-76, 0x1p-127, 0x1p-128, 0x1p-1022,
    ]
    for k in 0..<300 {
      // k / 2^j: exact ties at every digit count up to j.
      for j in [1, 2, 3, 4, 5, 8, 10, 20, 30] {
        let tie = Double(k) / Double(1 << j)
        values += [tie, -tie, tie.nextUp, tie.nextDown]
      }
    }
    for x in values {
      for digits in 0...10 { Self.expectSame(x, digits) }
    }
  }

  /// 200,000 seeded values of every magnitude from 10^-12 to 10^21, both signs, with 0 to 9 decimals; and
  /// 100,000 random bit patterns.
  @Test func seeded() {
    var generator = SplitMix64(seed: 2026_12_06)
    for _ in 0..<200_000 {
      let exponent = Double(generator.next() % 34) - 12
      let mantissa = Double(generator.next() >> 11) / Double(1 << 53)
      let x = (generator.next() & 1 == 0 ? 1 : -1) * mantissa * pow(10, exponent)
      Self.expectSame(x, Int(generator.next() % 10))
    }
    for _ in 0..<100_000 {
      Self.expectSame(Double(bitPattern: generator.next()), Int(generator.next() % 10))
    }
  }
}
