import StrataTestSupport
import Testing

@testable import StrataReport

/// ShortestDigits spells every double exactly as `Double.description` does.
///
/// That is the JSON writer's contract. Checked over the special families where shortest-digit methods go wrong and
/// a million random bit patterns; Benchmarks/shortest_digits_check.sh runs the same comparison over 10^8 patterns.
@Suite("Shortest round-trip digits")
struct ShortestDigitsTests {
  /// Compares one double; returns false (after recording the issue) when the bytes differ.
  @discardableResult
  private static func matches(_ x: Double, _ scratch: UnsafeMutablePointer<UInt8>) -> Bool {
    guard let count = ShortestDigits.write(x, to: scratch) else {
      // Only zeros, subnormals, infinities and NaN are left to `description`.
      #expect(x == 0 || x.isSubnormal || !x.isFinite, "\(x) not written")
      return true
    }
    let written = String(decoding: UnsafeBufferPointer(start: scratch, count: count), as: UTF8.self)
    guard written == x.description else {
      Issue.record("bits 0x\(String(x.bitPattern, radix: 16)): description \(x.description), written \(written)")
      return false
    }
    return true
  }

  private static func withScratch(_ body: (UnsafeMutablePointer<UInt8>) -> Void) {
    let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: ShortestDigits.scratchCount)
    defer { scratch.deallocate() }
    body(scratch)
  }

  /// `x`, its neighbours one unit in the last place away, and their negatives.
  private static func around(_ x: Double) -> [Double] { [x, x.nextUp, x.nextDown, -x, -x.nextUp, -x.nextDown] }

  @Test("powers of two and ten, their neighbours, and the ends of the exponent range")
  func powers() {
    Self.withScratch { scratch in
      var doubles: [Double] = []
      for exponent in -1022...1023 { doubles += Self.around(Double(sign: .plus, exponent: exponent, significand: 1)) }
      for exponent in -307...308 {
        for digits in ["1", "9.999999999999999", "5", "2.5", "1.7976931348623157"] {
          if let x = Double("\(digits)e\(exponent)"), x.isFinite { doubles += Self.around(x) }
        }
      }
      doubles += [.leastNormalMagnitude, .greatestFiniteMagnitude, .ulpOfOne, 1e23, .leastNonzeroMagnitude, 0, -0.0]
      for bits in UInt64(0)..<2_000 {
        doubles.append(Double(bitPattern: bits))  // subnormals, left to description
        doubles.append(Double(bitPattern: 0x0010_0000_0000_0000 + bits))
        doubles.append(Double(bitPattern: 0x7FEF_FFFF_FFFF_FFFF - bits))
      }
      var failures = 0
      for x in doubles where !Self.matches(x, scratch) {
        failures += 1
        if failures > 10 { break }
      }
      #expect(doubles.count > 20_000)
    }
  }

  /// Where `description` switches between `123.4` and `1.234e+05`: at 10^-4 and at 2^53.
  @Test("the switch between plain decimals and exponents, and integers near 2^53")
  func formatBoundaries() {
    Self.withScratch { scratch in
      var doubles: [Double] = []
      for offset in -3_000...3_000 { doubles += Self.around(0x1p53 + Double(offset)) }
      for x in [1e-4, 1e-5, 0x1p-13, 0x1p-14, 1e15, 1e16, 1e17, 0x1p54, 123_456_789_012_345.6] {
        var y = x
        for _ in 0..<500 {
          doubles += Self.around(y)
          y = y.nextUp
        }
      }
      for (x, spelled) in [(1e-4, "0.0001"), (0x1p53, "9007199254740992.0"), (-0x1p53 - 2, "-9.007199254740994e+15")] {
        let count = ShortestDigits.write(x, to: scratch) ?? 0
        #expect(String(decoding: UnsafeBufferPointer(start: scratch, count: count), as: UTF8.self) == spelled)
      }
      var failures = 0
      for x in doubles where !Self.matches(x, scratch) {
        failures += 1
        if failures > 10 { break }
      }
    }
  }

  /// Values with 15 to 17 significant digits, and those exactly halfway between two 17-digit decimals (`1 + odd ×
  /// 2^-n` has 18 or more digits ending in 5): the tie goes to the even digit, as `description` does.
  @Test("15 to 17 significant digits and exact ties")
  func longDigitsAndTies() {
    Self.withScratch { scratch in
      var random = SplitMix64(seed: 17)
      var doubles: [Double] = []
      for odd in stride(from: 1, through: 801, by: 2) {
        for shift in 1...70 {
          doubles += Self.around(1 + Double(odd) * Double(sign: .plus, exponent: -shift, significand: 1))
        }
      }
      for _ in 0..<20_000 {
        let digitCount = 15 + Int(random.next() % 3)
        var digits = 1 + random.next() % 9
        for _ in 1..<digitCount { digits = digits * 10 + random.next() % 10 }
        let exponent = Int(random.next() % 600) - 300
        if let x = Double("\(digits)e\(exponent)"), x.isFinite { doubles += Self.around(x) }
        // Short decimals too: the method's one-digit-fewer branch.
        let short = 1 + random.next() % 9_999
        if let x = Double("\(short)e\(exponent)"), x.isFinite { doubles += Self.around(x) }
      }
      // The tie itself: 1 + 2^-17 = 1.00000762939453125 prints as ...312 (even), 1 + 3 × 2^-17 as ...938.
      doubles += [1 + 0x1p-17, 1 + 3 * 0x1p-17]
      #expect((1 + 0x1p-17).description == "1.0000076293945312")
      var failures = 0
      for x in doubles where !Self.matches(x, scratch) {
        failures += 1
        if failures > 10 { break }
      }
    }
  }

  @Test("a million random bit patterns")
  func randomBitPatterns() {
    Self.withScratch { scratch in
      var random = SplitMix64(seed: 2026_12_05)
      var failures = 0
      var written = 0
      for _ in 0..<1_000_000 {
        let x = Double(bitPattern: random.next())
        if x.isNormal { written += 1 }
        if !Self.matches(x, scratch) {
          failures += 1
          if failures > 10 { break }
        }
      }
      #expect(written > 990_000)
    }
  }
}
