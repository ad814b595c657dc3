/// `Double.description`'s characters for a normal double, written straight into a byte buffer: the shortest
/// decimal that reads back as the same double (the closest of them when several are as short, the even one on
/// an exact tie), spelled as Swift spells it.
///
/// The digits come from Giulietti's Schubfach method ("The Schubfach way to render doubles", 2020), as its paper
/// describes it: the double `c × 2^q` and the ends of its rounding interval are scaled by `10^-k` (a 126-bit
/// overestimate from ``powersOfTen``) so that the interval is between one and ten units wide; the products are
/// rounded to odd, which keeps every comparison with a multiple of four exact; then the one multiple of ten units
/// inside the interval, if there is one, is the shortest, and otherwise the nearer of the two units around the
/// value that lie inside. The interval is closed when `c` is even (a decimal halfway between two doubles reads
/// back as the even one), open when odd.
///
/// The spelling (checked against `description` by ShortestDigitsTests and Benchmarks/shortest_digits_check.swift):
/// plain decimals from 10^-4 up to 2^53 — `0.0001`, `123.456`, `1000000000000000.0` — and otherwise a
/// digit, the rest after a point, and a signed exponent of at least two digits: `1e-05`, `1.25e+16`, `5e-324`.
///
/// Zeros, subnormals, infinities and NaN are left to `description` (``write(_:to:)`` returns nil): the callers
/// never or hardly ever meet them.
enum ShortestDigits {
  /// The bytes ``write(_:to:)`` may touch: its longest result is 24 bytes, and the digits are first written right
  /// aligned at the end of this stretch.
  static let scratchCount = 48

  /// Writes `x` as `x.description` would spell it into `start` (room for ``scratchCount`` bytes) and returns the
  /// number of bytes written, or nil (nothing meaningful written) when `x` is zero, subnormal, infinite or NaN.
  @inline(__always)
  static func write(_ x: Double, to start: UnsafeMutablePointer<UInt8>) -> Int? {
    let bits = x.bitPattern
    let biased = Int(truncatingIfNeeded: (bits >> 52) & 0x7FF)
    guard biased != 0, biased != 0x7FF else { return nil }
    let fraction = bits & (1 << 52 - 1)
    // Every double but the powers of two (and the smallest normal) lies mid-way between its neighbours.
    let (digits, exponent) = decimal(
      significand: fraction | 1 << 52, exponent: biased - 1075, irregular: fraction == 0 && biased > 1)
    return spell(
      negative: bits >> 63 != 0, digits: digits, exponent: exponent, plain: x.magnitude <= 0x1p53, to: start)
  }

  /// The shortest `digits × 10^exponent` inside the rounding interval of `c × 2^q`, the nearest to it among the
  /// shortest.
  ///
  /// `c` runs from 2^52 to 2^53 − 1; `irregular` when `c` is 2^52 and the double below is closer than the one
  /// above. The digits may end in zeros.
  static func decimal(significand c: UInt64, exponent q: Int, irregular: Bool) -> (UInt64, Int) {
    // In units of a quarter of the double's spacing: the double at 4c, its interval from lower to upper.
    let open = c & 1
    let center = c << 2
    let upper = center + 2
    let lower: UInt64
    let k: Int
    if irregular {
      // The interval is three quarters as wide, the double below being half as far: k = ⌊log10(3/4 × 2^q)⌋.
      lower = center - 1
      k = (q &* 1_262_611 &- 524_031) >> 22
    } else {
      lower = center - 2
      k = (q &* 1_262_611) >> 22  // ⌊log10(2^q)⌋
    }
    // 10^-k ≈ g × 2^(β − 125) with β = ⌊−k log2(10)⌋; scaled by 2^h the products below carry the value
    // 4 × c × 2^q × 10^-k in their high 64 bits.
    let h = q &+ ((-k &* 1_741_647) >> 19) &+ 3
    let index = 2 &* (-k &- smallestPowerOfTen)
    let (gHigh, gLow) = powersOfTen.withUnsafeBufferPointer { ($0[index], $0[index &+ 1]) }
    let value = roundedToOdd(gHigh, gLow, center << h)
    let low = roundedToOdd(gHigh, gLow, lower << h)
    let high = roundedToOdd(gHigh, gLow, upper << h)
    // A decimal n × 10^k is inside when low ≤ 4n ≤ high, the ends excluded when the interval is open.
    let s = value >> 2
    // One digit fewer: the multiples of ten units around the value (at most one of them fits).
    let down = s / 10 &* 10
    let up = down &+ 10
    let downInside = low &+ open <= down << 2
    let upInside = up << 2 &+ open <= high
    if downInside != upInside { return (downInside ? down / 10 : up / 10, k &+ 1) }
    let t = s &+ 1
    let sInside = low &+ open <= s << 2
    let tInside = t << 2 &+ open <= high
    if sInside != tInside { return (sInside ? s : t, k) }
    // Both: the nearer; on a tie (the value exactly halfway, 4s + 2) the even one.
    let halfway = (s &+ t) << 1
    return (value < halfway || (value == halfway && s & 1 == 0) ? s : t, k)
  }

  /// `⌊g × cp / 2^128⌋` with its lowest bit set when the fraction is not zero (rounded to odd).
  ///
  /// `g` is `high × 2^64 + low`. Fractions below 2^-64 count as zero: `g` overestimates `10^-k` by less than one
  /// unit in its last place, which raises the product by less than 2^-64, and the method's analysis shows that an
  /// inexact product never falls that close to an integer.
  @inline(__always)
  private static func roundedToOdd(_ high: UInt64, _ low: UInt64, _ cp: UInt64) -> UInt64 {
    let lowProduct = low.multipliedFullWidth(by: cp)
    let highProduct = high.multipliedFullWidth(by: cp)
    let (middle, carry) = highProduct.low.addingReportingOverflow(lowProduct.high)
    let integer = highProduct.high &+ (carry ? 1 : 0)
    return integer | (middle != 0 ? 1 : 0)
  }

  /// Writes `digits × 10^exponent` (`digits` from 1 to below 10^18) as `description` spells it and returns the
  /// number of bytes; `plain` when the double is at most 2^53, below which `description` writes no exponent from
  /// 10^-4 up.
  ///
  /// The digits go straight to their places; where a point falls among them they are written one byte to the right
  /// and those before the point moved back.
  @inline(__always)
  private static func spell(
    negative: Bool, digits: UInt64, exponent: Int, plain: Bool, to start: UnsafeMutablePointer<UInt8>
  ) -> Int {
    var digits = digits
    var exponent = exponent
    while digits % 10 == 0 {
      digits /= 10
      exponent &+= 1
    }
    let count = digitCount(digits)
    // The power of ten of the leading digit.
    let point = exponent &+ count &- 1
    var out = start
    if negative {
      out[0] = UInt8(ascii: "-")
      out += 1
    }
    if point < -4 || !plain {
      // d.ddde±XX
      writeDigits(digits, endingAt: out + (count &+ 1))
      out[0] = out[1]
      if count > 1 {
        out[1] = UInt8(ascii: ".")
        out += count &+ 1
      } else {
        out += 1
      }
      out[0] = UInt8(ascii: "e")
      out[1] = point < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
      var power = point < 0 ? -point : point
      out += 2
      if power >= 100 {
        out[0] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: power / 100)
        out += 1
        power %= 100
      }
      writePair(UInt32(truncatingIfNeeded: power), to: out)
      out += 2
    } else if point < 0 {
      // 0.000ddd: up to three zeros after the point.
      out[0] = UInt8(ascii: "0")
      out[1] = UInt8(ascii: ".")
      out[2] = UInt8(ascii: "0")
      out[3] = UInt8(ascii: "0")
      out[4] = UInt8(ascii: "0")
      out += 1 &- point
      writeDigits(digits, endingAt: out + count)
      out += count
    } else if point >= count &- 1 {
      // ddd000.0
      writeDigits(digits, endingAt: out + count)
      out += count
      for _ in 0..<(point &- count &+ 1) {
        out[0] = UInt8(ascii: "0")
        out += 1
      }
      out[0] = UInt8(ascii: ".")
      out[1] = UInt8(ascii: "0")
      out += 2
    } else {
      // ddd.ddd
      writeDigits(digits, endingAt: out + (count &+ 1))
      for offset in 0...point { out[offset] = out[offset &+ 1] }
      out[point &+ 1] = UInt8(ascii: ".")
      out += count &+ 1
    }
    return out - start
  }

  /// The number of decimal digits of `n` (1 to 10^18 − 1), by comparisons (most have 16 or 17).
  @inline(__always)
  private static func digitCount(_ n: UInt64) -> Int {
    if n < 100_000_000 {
      if n < 10_000 { return n < 100 ? (n < 10 ? 1 : 2) : (n < 1_000 ? 3 : 4) }
      return n < 1_000_000 ? (n < 100_000 ? 5 : 6) : (n < 10_000_000 ? 7 : 8)
    }
    if n < 10_000_000_000_000 {
      if n < 10_000_000_000 { return n < 1_000_000_000 ? 9 : 10 }
      return n < 100_000_000_000 ? 11 : (n < 1_000_000_000_000 ? 12 : 13)
    }
    if n < 1_000_000_000_000_000 { return n < 100_000_000_000_000 ? 14 : 15 }
    if n < 100_000_000_000_000_000 { return n < 10_000_000_000_000_000 ? 16 : 17 }
    return 18
  }

  /// Writes the decimal digits of `n` so that the last ends just before `end`.
  @inline(__always)
  private static func writeDigits(_ n: UInt64, endingAt end: UnsafeMutablePointer<UInt8>) {
    var rest = n
    var end = end
    while rest >= 100_000_000 {
      let eight = UInt32(truncatingIfNeeded: rest % 100_000_000)
      rest /= 100_000_000
      let high = eight / 10_000
      let low = eight % 10_000
      writePair(high / 100, to: end - 8)
      writePair(high % 100, to: end - 6)
      writePair(low / 100, to: end - 4)
      writePair(low % 100, to: end - 2)
      end -= 8
    }
    var small = UInt32(truncatingIfNeeded: rest)
    while small >= 100 {
      writePair(small % 100, to: end - 2)
      small /= 100
      end -= 2
    }
    if small >= 10 {
      writePair(small, to: end - 2)
    } else {
      end[-1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: small)
    }
  }

  /// Writes the two digits of `n` (0 to 99).
  @inline(__always)
  private static func writePair(_ n: UInt32, to target: UnsafeMutablePointer<UInt8>) {
    let pairs: StaticString = """
      00010203040506070809101112131415161718192021222324252627282930313233343536373839\
      40414243444546474849505152535455565758596061626364656667686970717273747576777879\
      8081828384858687888990919293949596979899
      """
    let pair = UnsafeRawPointer(pairs.utf8Start + 2 &* Int(truncatingIfNeeded: n)).loadUnaligned(as: UInt16.self)
    UnsafeMutableRawPointer(target).storeBytes(of: pair, as: UInt16.self)
  }
}
