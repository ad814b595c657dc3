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

  /// The spelling on its own: every count of significant digits (1 to 17) at every power of ten, so that the point
  /// falls before, inside and after the digits and each block of eight is the first, shorter one or a full one;
  /// with inner zeros and with 0 to 16 trailing zeros in the digits the method hands over (`0.5` comes as
  /// 5000000000000000 × 10^-16).
  @Test("every digit count at every position of the point, with inner and trailing zeros")
  func layout() {
    Self.withScratch { scratch in
      var random = SplitMix64(seed: 8)
      var doubles: [Double] = []
      for count in 1...17 {
        var patterns = [String(repeating: "9", count: count), "1" + String(repeating: "0", count: count - 1)]
        if count >= 2 { patterns.append("1" + String(repeating: "0", count: count - 2) + "1") }
        for _ in 0..<4 {
          var text = String(1 + random.next() % 9)
          for _ in 1..<count { text += String(random.next() % 10) }
          patterns.append(text)
        }
        for pattern in patterns {
          for exponent in -325...310 {
            if let x = Double("\(pattern)e\(exponent)"), x.isNormal { doubles += [x, -x] }
          }
        }
      }
      var failures = 0
      for x in doubles where !Self.matches(x, scratch) {
        failures += 1
        if failures > 10 { break }
      }
      #expect(doubles.count > 100_000)
      // The shapes, spelled out.
      for (x, spelled) in [
        (0.5, "0.5"), (-0.0625, "-0.0625"), (0.00012, "0.00012"), (1.5e-5, "1.5e-05"), (123.25, "123.25"),
        (12345678.125, "12345678.125"), (1e300, "1e+300"), (-2.5e-300, "-2.5e-300"),
        (1e16, "1e+16"), (123456789012345.67, "123456789012345.67"), (0.1234567890123456, "0.1234567890123456"),
      ] {
        let count = ShortestDigits.write(x, to: scratch) ?? 0
        #expect(String(decoding: UnsafeBufferPointer(start: scratch, count: count), as: UTF8.self) == spelled)
      }
    }
  }

  @Test("eight digits at once: every value's bytes are its zero-padded decimal")
  func eightDigits() {
    var random = SplitMix64(seed: 88)
    var values: [UInt32] = [0, 1, 9, 10, 99, 100, 9_999, 10_000, 10_001, 99_999_999, 12_345_678, 90_000_009]
    for _ in 0..<200_000 { values.append(UInt32(random.next() % 100_000_000)) }
    for power in 0..<8 {
      let p = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000][power]
      values += [UInt32(p), UInt32(p - 1), UInt32(p + 1) % 100_000_000, UInt32(99_999_999 - p + 1)]
    }
    var failures = 0
    for n in values {
      let word = ShortestDigits.eightDigits(n)
      let bytes = (0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) }
      let expected = String(n)
      let padded = Array((String(repeating: "0", count: 8 - expected.count) + expected).utf8)
      if bytes != padded {
        Issue.record("\(n): \(String(decoding: bytes, as: UTF8.self))")
        failures += 1
        if failures > 10 { break }
      }
    }
  }

  @Test("integers: every digit count from 1 to 20 spelled as String does")
  func integers() {
    Self.withScratch { scratch in
      var random = SplitMix64(seed: 20)
      var values: [UInt64] = [0, 9, 10, 99, 100, .max, .max - 1, UInt64(Int64.max), UInt64(Int64.max) + 1]
      var power: UInt64 = 1
      for _ in 0..<20 {
        values += [power, power - 1, power + 1, 9 * (power / 10), (power / 10) &* 12_345_679]
        if power <= UInt64.max / 10 { power *= 10 }
      }
      for _ in 0..<100_000 { values.append(random.next() >> (random.next() % 64)) }
      var failures = 0
      for n in values {
        let count = ShortestDigits.writeInteger(n, to: scratch)
        let written = String(decoding: UnsafeBufferPointer(start: scratch, count: count), as: UTF8.self)
        if written != String(n) {
          Issue.record("\(n): \(written)")
          failures += 1
          if failures > 10 { break }
        }
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
