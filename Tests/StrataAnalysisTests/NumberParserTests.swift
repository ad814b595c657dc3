import Foundation
import StrataTestSupport
import Testing

@testable import StrataAnalysis

/// NumberParser against Swift's `Double(String)` (glibc's `strtod`, correctly rounded) bit for bit, and the
/// Eisel–Lemire path's table, exponent and fallbacks on their own.
@Suite("Number parser")
struct NumberParserTests {
  static func parse(_ text: String) -> Double? {
    Array(text.utf8).withUnsafeBufferPointer { NumberParser.parse($0) }
  }

  /// What the parser must return: `strtod`'s value of the text without its surrounding spaces, nil when that is
  /// not finite.
  static func reference(_ text: String) -> Double? {
    let trimmed = text.trimmingCharacters(in: CharacterSet(charactersIn: " "))
    guard let value = Double(trimmed), value.isFinite else { return nil }
    return value
  }

  /// Random decimals of one shape each, written as bytes.
  struct Decimals {
    var random: SplitMix64

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

    mutating func digits(_ count: Int, into text: inout [UInt8]) {
      for _ in 0..<count { text.append(UInt8(ascii: "0") + UInt8(int(0...9))) }
    }

    mutating func sign(into text: inout [UInt8]) {
      switch int(0...3) {
      case 0: text.append(UInt8(ascii: "-"))
      case 1: text.append(UInt8(ascii: "+"))
      default: break
      }
    }

    mutating func exponent(_ range: ClosedRange<Int>, into text: inout [UInt8]) {
      text.append(int(0...1) == 0 ? UInt8(ascii: "e") : UInt8(ascii: "E"))
      let value = int(range)
      if value < 0 {
        text.append(UInt8(ascii: "-"))
      } else if int(0...1) == 0 {
        text.append(UInt8(ascii: "+"))
      }
      text += Array(String(abs(value)).utf8)
    }

    /// `digits` with a decimal point after `point` of them (none when `point` is nil).
    static func withPoint(_ digits: String, at point: Int?) -> String {
      guard let point else { return digits }
      let index = digits.index(digits.startIndex, offsetBy: point)
      return String(digits[..<index]) + "." + String(digits[index...])
    }

    /// The exact decimal of `odd` × 2^`power`, for odd below 2^54 and power from -3 to 9.
    static func exactDecimal(_ odd: UInt64, power: Int) -> String {
      if power >= 0 { return String(odd << UInt64(power)) }
      let shift = UInt64(-power)
      var fraction = (odd & ((1 << shift) - 1))
      for _ in 0..<(-power) { fraction *= 5 }
      let fractionText = String(fraction)
      return String(odd >> shift) + "." + String(repeating: "0", count: -power - fractionText.count) + fractionText
    }

    mutating func next(_ shape: Int) -> String {
      var text: [UInt8] = []
      switch shape {
      case 0:  // short decimals: -12.5, 0.25, +7, 3.
        sign(into: &text)
        digits(int(1...6), into: &text)
        if int(0...3) > 0 {
          text.append(UInt8(ascii: "."))
          digits(int(0...4), into: &text)
        }
      case 1:  // 15-20 digit significands, the point anywhere, sometimes an exponent
        sign(into: &text)
        let count = int(15...20)
        var body: [UInt8] = []
        digits(count, into: &body)
        if body[0] == UInt8(ascii: "0") { body[0] = UInt8(ascii: "1") + UInt8(int(0...8)) }
        let point = int(0...count)
        text += body[..<point]
        if point < count || int(0...1) == 0 { text.append(UInt8(ascii: ".")) }
        text += body[point...]
        if int(0...2) == 0 { exponent(-30...30, into: &text) }
      case 2:  // exponents over the whole range of doubles
        sign(into: &text)
        digits(int(1...19), into: &text)
        if int(0...1) == 0 {
          text.append(UInt8(ascii: "."))
          digits(int(0...6), into: &text)
        }
        exponent(-345...310, into: &text)
      case 3:  // the shortest text of a random finite double, any exponent
        var value: Double
        repeat { value = Double(bitPattern: random.next()) } while !value.isFinite
        return "\(value)"
      case 4:  // halfway between two doubles, exactly, in integer, fraction or exponent form
        let odd = (UInt64(1) << 53) | (random.next() >> 11) | 1
        let power = int(-3...9)
        let exact = Self.exactDecimal(odd, power: power)
        let significant = exact.filter { $0 != "." }
        let scale = power >= 0 ? 0 : -power
        switch int(0...2) {
        case 0: return exact
        case 1:  // the same value as digits and an exponent, the point moved
          let point = int(0...significant.count)
          let exponent = significant.count - point - scale
          return Self.withPoint(significant, at: point) + "e\(exponent)"
        default:  // just above or below the halfway point, in the 19th or 20th significant digit
          let padded = significant + String(repeating: "0", count: 20 - significant.count)
          guard var value = UInt64(padded.prefix(19)) else { return exact }
          value = int(0...1) == 0 ? value + 1 : value - 1
          return "\(value)e\(significant.count - 19 - scale)"
        }
      case 5:  // subnormals and the smallest normals
        switch int(0...2) {
        case 0: return "\(Double(bitPattern: random.next() >> 12))"
        case 1: return "\(Double(bitPattern: (UInt64(1) << 52) + (random.next() >> 40)))"
        default:
          digits(int(1...19), into: &text)
          exponent(-345...(-300), into: &text)
        }
      case 6:  // exactly representable decimals: k / 2^j
        let value = Self.exactDecimal(UInt64(int(1...(1 << 20))) | 1, power: int(-3...0))
        let divide = int(0...6)
        var scaled = Double(value) ?? 0
        for _ in 0..<divide { scaled /= 2 }
        return String(format: "%.\(divide + 3)f", scaled)
      case 7:  // leading and trailing zeros, a bare point at either end
        sign(into: &text)
        text += Array(String(repeating: "0", count: int(0...4)).utf8)
        digits(int(0...5), into: &text)
        text.append(UInt8(ascii: "."))
        digits(int(0...5), into: &text)
        text += Array(String(repeating: "0", count: int(0...25)).utf8)
        if text.allSatisfy({ $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }) {
          text.append(UInt8(ascii: "7"))
        }
      case 8:  // zeros of every sign and exponent
        sign(into: &text)
        text += Array(String(repeating: "0", count: int(1...3)).utf8)
        if int(0...1) == 0 {
          text.append(UInt8(ascii: "."))
          text += Array(String(repeating: "0", count: int(0...30)).utf8)
        }
        if int(0...1) == 0 { exponent(-999...999, into: &text) }
      case 9:  // beyond the doubles: overflow (not a number here) and underflow to zero
        sign(into: &text)
        digits(int(1...19), into: &text)
        exponent(int(0...1) == 0 ? 300...420 : -420...(-320), into: &text)
      default:  // spaces around short decimals and long ones
        text += Array(String(repeating: " ", count: int(0...2)).utf8)
        sign(into: &text)
        digits(int(1...19), into: &text)
        text.append(UInt8(ascii: "."))
        digits(int(0...3), into: &text)
        text += Array(String(repeating: " ", count: int(0...2)).utf8)
      }
      return String(decoding: text, as: UTF8.self)
    }
  }

  @Test func agreesWithStrtodBitForBitOnMoreThanAMillionRandomDecimals() {
    var decimals = Decimals(random: SplitMix64(seed: 17))
    var mismatches: [String] = []
    var parsedCount = 0
    let shapes = 11
    for index in 0..<(shapes * 100_000) {
      let text = decimals.next(index % shapes)
      let parsed = Self.parse(text)
      let expected = Self.reference(text)
      if parsed != nil { parsedCount += 1 }
      if parsed?.bitPattern != expected?.bitPattern {
        mismatches.append("\(text): \(String(describing: parsed)) != \(String(describing: expected))")
      }
    }
    #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, e.g. \(mismatches.prefix(10))")
    // Only overflows are not numbers (about half of shape 9, a few of shape 2): the generator makes numbers.
    #expect(parsedCount > shapes * 100_000 * 90 / 100)
  }

  @Test func fixedCasesAgreeWithStrtod() {
    let texts = [
      "0", "-0", "+0", "-0.0", "0e-400", "-0e999", "1", "-1", "+5", ".5", "5.", "-.5e1", "0.1", "0.2", "0.3",
      "1e-5", "-3.25E+2", "123456789012345678901", "1.7976931348623157e308", "1.7976931348623158e308",
      "1.7976931348623159e308", "4.9e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
      "2.2250738585072011e-308", "2.2250738585072014e-308", "9007199254740993", "9007199254740993.0000000001",
      "9007199254740995", "900719925474099.3e1", "18446744073709551615", "18446744073709551616",
      "9999999999999999999", "0.0000000000000000000000000000001", "1e22", "1e23", "123456789012345e22",
      "8.98846567431158e307", "1e308", "1e309", "1e-342", "1e-343", "1.5e-323", " 2.5 ", "  -7.25  ",
      "7.0e-10", "4.35", "18.41", "0.1e1", "100000000000000000000000",
      "1.00000000000000011102230246251565404236316680908203125",
    ]
    for text in texts {
      #expect(Self.parse(text)?.bitPattern == Self.reference(text)?.bitPattern, "\(text)")
    }
  }

  /// The one-byte path: every byte value as a one-byte field (a digit is its value, `+0.0` for `0`; anything else,
  /// a space, a sign, a dot, a letter, is not a number) agrees with `Double(String)`, bit for bit.
  @Test func oneByteFieldsAgreeWithStrtod() {
    for byte in UInt8(0)...UInt8(255) {
      let parsed = [byte].withUnsafeBufferPointer { NumberParser.parse($0) }
      let reference = byte < 0x80 ? Double(String(UnicodeScalar(byte))) : nil
      #expect(parsed?.bitPattern == reference?.bitPattern, "byte \(byte)")
      // The out-of-line path alone (which `parse` skips for a digit) gives the same answer.
      let general = [byte].withUnsafeBufferPointer { NumberParser.parseField($0) }
      #expect(general?.bitPattern == reference?.bitPattern, "byte \(byte)")
    }
  }

  @Test func notNumbers() {
    for bad in [
      "", " ", "abc", "1.2.3", "1e", "1e+", "--1", "+-1", "-", "+", ".", "e5", ".e1", "inf", "-inf", "nan",
      "infinity", "1,5", "0x10", "1 2", "1e5e", "1e5.", "1_000",
    ] {
      #expect(Self.parse(bad) == nil, "\(bad)")
    }
  }

  /// Literals of 512 bytes or more (after the spaces) were numbers only in Clinger's cases (at most 15 significant
  /// digits, exponent within ±22), the others went to `strtod` on a 512-byte copy and were refused; still so.
  @Test func longLiteralsAreNumbersOnlyWhereTheyWereBefore() {
    let zeros = String(repeating: "0", count: 600)
    #expect(Self.parse(zeros + "1.5") == 1.5)
    #expect(Self.parse("-" + zeros + "12.345") == -12.345)
    #expect(Self.parse("1.5" + String(repeating: " ", count: 600)) == 1.5)
    #expect(Self.parse(zeros + "1.2345678901234567") == nil)
    #expect(Self.parse(zeros + "1e30") == nil)
    #expect(Self.parse("0." + zeros + "1") == nil)
    #expect(Self.parse(zeros) == 0)
    #expect(Self.parse(zeros + "e30") == nil)
    #expect(Self.parse(String(repeating: "1", count: 600)) == nil)
  }

  /// The table's entries from 5^-27 to 5^27, checked with 64-bit arithmetic.
  ///
  /// 5^q (which fits 64 bits) shifted into [2^127, 2^128) exactly for q ≥ 0, and the rounded-up quotient
  /// 2^(127 + bits) / 5^-q for q < 0.
  @Test func powersOfFiveTable() {
    #expect(
      NumberParser.powersOfFive.count == 2 * (NumberParser.largestPowerOfFive - NumberParser.smallestPowerOfFive + 1))
    var power: UInt64 = 1
    for q in 0...27 {
      let index = (q - NumberParser.smallestPowerOfFive) * 2
      #expect(NumberParser.powersOfFive[index] == power << UInt64(power.leadingZeroBitCount), "5^\(q)")
      #expect(NumberParser.powersOfFive[index + 1] == 0, "5^\(q)")
      if q > 0 {
        // T × 5^q ≥ 2^(127 + bits) > (T - 1) × 5^q, T = (high, low), bits = 64 - leading zeros of 5^q.
        let index = (-q - NumberParser.smallestPowerOfFive) * 2
        let high = NumberParser.powersOfFive[index], low = NumberParser.powersOfFive[index + 1]
        let bits = 64 - power.leadingZeroBitCount
        let target = Self.shifted(one: 127 + bits)
        #expect(Self.compare(Self.product(high, low, power), target) >= 0, "5^-\(q)")
        let (lowMinusOne, borrow) = low.subtractingReportingOverflow(1)
        let below = Self.product(borrow ? high - 1 : high, lowMinusOne, power)
        #expect(Self.compare(below, target) < 0, "5^-\(q)")
      }
      power = power &* 5
    }
    for q in stride(from: NumberParser.smallestPowerOfFive, through: NumberParser.largestPowerOfFive, by: 1) {
      let index = (q - NumberParser.smallestPowerOfFive) * 2
      #expect(NumberParser.powersOfFive[index] >> 63 == 1, "5^\(q)")
    }
  }

  /// (high · 2^64 + low) × factor as three 64-bit words, most significant first.
  static func product(_ high: UInt64, _ low: UInt64, _ factor: UInt64) -> [UInt64] {
    let lowProduct = low.multipliedFullWidth(by: factor)
    let highProduct = high.multipliedFullWidth(by: factor)
    let (middle, carry) = highProduct.low.addingReportingOverflow(lowProduct.high)
    return [highProduct.high + (carry ? 1 : 0), middle, lowProduct.low]
  }

  /// 2^bit (bit < 192) as three 64-bit words, most significant first.
  static func shifted(one bit: Int) -> [UInt64] {
    var words: [UInt64] = [0, 0, 0]
    words[2 - bit / 64] = 1 << UInt64(bit % 64)
    return words
  }

  static func compare(_ a: [UInt64], _ b: [UInt64]) -> Int {
    for index in 0..<3 where a[index] != b[index] { return a[index] < b[index] ? -1 : 1 }
    return 0
  }

  /// ⌊q · log2 10⌋ is `(q * 217706) >> 16` over the table (never closer than 10⁻⁴ to an integer there, so the
  /// double product decides it).
  @Test func binaryExponentOfTheTable() {
    for q in stride(from: NumberParser.smallestPowerOfFive, through: NumberParser.largestPowerOfFive, by: 1) {
      #expect((q * 217_706) >> 16 == Int((Double(q) * log2(10.0)).rounded(.down)), "\(q)")
    }
  }

  /// Where the 128-bit product cannot decide, Eisel–Lemire declines and `strtod` answers.
  @Test func eiselLemireDeclinesWhatItCannotDecide() {
    // An exact tie between two doubles: 2^53 + 1 lies halfway between 2^53 and 2^53 + 2.
    #expect(NumberParser.eiselLemire(9_007_199_254_740_993, 0) == nil)
    #expect(Self.parse("9007199254740993") == 9_007_199_254_740_992)
    #expect(Self.parse("9007199254740995") == 9_007_199_254_740_996)
    // Ties with a fraction: (2^54 - 1) / 2 and / 4 and / 8.
    #expect(NumberParser.eiselLemire(90_071_992_547_409_915, -1) == nil)
    #expect(NumberParser.eiselLemire(450_359_962_737_049_575, -2) == nil)
    #expect(NumberParser.eiselLemire(2_251_799_813_685_247_875, -3) == nil)
    // Subnormal results and the edge of the normal range go to strtod.
    #expect(NumberParser.eiselLemire(49, -325) == nil)
    #expect(NumberParser.eiselLemire(22_250_738_585_072_011, -324) == nil)
    #expect(Self.parse("4.9e-324") == Double.leastNonzeroMagnitude)
    // Outside the table.
    #expect(NumberParser.eiselLemire(1, -343) == nil)
    #expect(NumberParser.eiselLemire(1, 309) == nil)
    // Past the largest double: infinity, which the parser turns into "not a number".
    #expect(NumberParser.eiselLemire(1, 309 - 1) == 1e308)
    #expect(NumberParser.eiselLemire(18, 307) == .infinity)
    #expect(Self.parse("1.8e308") == nil)
    // 10^23 = 2^23 × 5^23 with 5^23 odd and 54 bits long: a tie, declined, and strtod rounds it to even.
    #expect(NumberParser.eiselLemire(1, 23) == nil)
    #expect(Self.parse("1e23") == 1e23)
    #expect(NumberParser.eiselLemire(1, 22) == 1e22)
  }

  /// Exactly representable decimals (0.5, 12.25, ...) come out exact without a fallback: the table's rounding
  /// directions make their product exact.
  @Test func exactDecimalsNeedNoFallback() {
    var random = SplitMix64(seed: 5)
    for _ in 0..<20_000 {
      let power = Int.random(in: 1...20, using: &random)
      let numerator = UInt64.random(in: 1...(1 << 40), using: &random) | 1
      var significand = numerator
      var fits = true
      for _ in 0..<power where fits {
        let (product, overflow) = significand.multipliedReportingOverflow(by: 5)
        fits = !overflow && product < 10_000_000_000_000_000_000
        significand = product
      }
      guard fits else { continue }
      // numerator / 2^power = numerator × 5^power / 10^power, exact in a double (at most 40 + 0 bits).
      let expected = Double(numerator) / Double(sign: .plus, exponent: power, significand: 1)
      #expect(NumberParser.eiselLemire(significand, -power) == expected, "\(significand)e-\(power)")
    }
    for q in 0...22 {
      for significand: UInt64 in [1, 3, 7, 999, 123_456_789] {
        var product = significand
        var fits = true
        for _ in 0..<q where fits {
          let (next, overflow) = product.multipliedReportingOverflow(by: 10)
          fits = !overflow && next < 1 << 53
          product = next
        }
        if fits { #expect(NumberParser.eiselLemire(significand, q) == Double(product), "\(significand)e\(q)") }
      }
    }
  }
}
