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
  /// The bytes ``write(_:to:)`` may touch: its longest result is 24 bytes, and the digits and zeros are stored
  /// eight bytes at a time, which may reach past a result's end.
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
    // h is 3 to 6 for every exponent (ShortestDigitsTests), so plain shifts (`&<<`): `<<` tested for shifts by 64
    // or more and by negative amounts, about a dozen instructions a number.
    let value = roundedToOdd(gHigh, gLow, center &<< h)
    let low = roundedToOdd(gHigh, gLow, lower &<< h)
    let high = roundedToOdd(gHigh, gLow, upper &<< h)
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
  /// The digits go straight to their places, eight at a time (``eightDigits(_:)``); where a point falls among
  /// them they are written one byte to the right and those before the point moved back.
  @inline(__always)
  private static func spell(
    negative: Bool, digits: UInt64, exponent: Int, plain: Bool, to start: UnsafeMutablePointer<UInt8>
  ) -> Int {
    var digits = digits
    var exponent = exponent
    if digits % 10 == 0 {
      // Most have no trailing zero; a short decimal such as 0.5 has fifteen: dropped eight, four, two and one
      // at a time rather than one division each.
      digits /= 10
      exponent &+= 1
      while digits % 100_000_000 == 0 {
        digits /= 100_000_000
        exponent &+= 8
      }
      if digits % 10_000 == 0 {
        digits /= 10_000
        exponent &+= 4
      }
      if digits % 100 == 0 {
        digits /= 100
        exponent &+= 2
      }
      if digits % 10 == 0 {
        digits /= 10
        exponent &+= 1
      }
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
      writeDigits(digits, count: count, at: out + 1)
      out[0] = out[1]
      if count > 1 {
        out[1] = UInt8(ascii: ".")
        out += count &+ 1
      } else {
        out += 1
      }
      var power = point
      if point < 0 {
        store(0x2D65, as: UInt16.self, at: out)  // "e-"
        power = -point
      } else {
        store(0x2B65, as: UInt16.self, at: out)  // "e+"
      }
      out += 2
      if power >= 100 {
        out[0] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: power / 100)
        out += 1
        power %= 100
      }
      writePair(UInt32(truncatingIfNeeded: power), to: out)
      out += 2
    } else if point < 0 {
      // 0.000ddd: "0." and up to three zeros in one store; the digits go over the zeros not needed.
      store(0x3030_302E_30, as: UInt64.self, at: out)
      out += 1 &- point
      writeDigits(digits, count: count, at: out)
      out += count
    } else if point >= count &- 1 {
      // ddd000.0: the zeros eight at a time (at most 15 of them below 2^53).
      writeDigits(digits, count: count, at: out)
      out += count
      let zeros = point &- count &+ 1
      store(0x3030_3030_3030_3030, as: UInt64.self, at: out)
      store(0x3030_3030_3030_3030, as: UInt64.self, at: out + 8)
      out += zeros
      store(0x302E, as: UInt16.self, at: out)  // ".0"
      out += 2
    } else {
      // ddd.ddd: the digits before the point (at most 16 below 2^53) moved back over the first byte.
      writeDigits(digits, count: count, at: out + 1)
      ShortCopy.copy(UnsafePointer(out + 1), count: point &+ 1, to: out)
      out[point &+ 1] = UInt8(ascii: ".")
      out += count &+ 1
    }
    return out - start
  }

  /// The number of decimal digits of `n` (from 1), by comparisons (most shortest digits have 16 or 17).
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
    return n < 1_000_000_000_000_000_000 ? 18 : (n < 10_000_000_000_000_000_000 ? 19 : 20)
  }

  /// Writes the decimal digits of `n` as `String(n)` spells them at `target` and returns their number; touches
  /// at most 20 bytes (eight when there are fewer digits).
  @inline(__always)
  static func writeInteger(_ n: UInt64, to target: UnsafeMutablePointer<UInt8>) -> Int {
    if n < 10 {
      target[0] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: n)
      return 1
    }
    if n < 100 {
      writePair(UInt32(truncatingIfNeeded: n), to: target)
      return 2
    }
    let count = digitCount(n)
    writeDigits(n, count: count, at: target)
    return count
  }

  /// Writes the `count` decimal digits of `n` (`count` from 1 to 20) from `target` on; may write up to eight bytes
  /// from `target` when there are fewer digits (scratch room the caller has, written over or not counted).
  ///
  /// In blocks of eight from the last digit back, each block's bytes made at once (``eightDigits(_:)``); the
  /// first block, shorter, shifted down to its digits and stored first, so that the next store writes over its
  /// spare bytes.
  @inline(__always)
  private static func writeDigits(_ n: UInt64, count: Int, at target: UnsafeMutablePointer<UInt8>) {
    if count <= 8 {
      store(eightDigits(UInt32(truncatingIfNeeded: n)) &>> (64 &- 8 &* count), as: UInt64.self, at: target)
    } else if count <= 16 {
      let high = n / 100_000_000
      let low = n &- high &* 100_000_000
      store(eightDigits(UInt32(truncatingIfNeeded: high)) &>> (128 &- 8 &* count), as: UInt64.self, at: target)
      store(eightDigits(UInt32(truncatingIfNeeded: low)), as: UInt64.self, at: target + (count &- 8))
    } else {
      // Both quotients from `n`, not one from the other: two multiplications side by side.
      let upper = n / 100_000_000
      let top = n / 10_000_000_000_000_000
      let low = n &- upper &* 100_000_000
      let middle = upper &- top &* 100_000_000
      if count == 17 {
        target[0] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: top)
      } else {
        // 18 to 20 digits: the first two to four.
        store(eightDigits(UInt32(truncatingIfNeeded: top)) &>> (192 &- 8 &* count), as: UInt64.self, at: target)
      }
      store(eightDigits(UInt32(truncatingIfNeeded: middle)), as: UInt64.self, at: target + (count &- 16))
      store(eightDigits(UInt32(truncatingIfNeeded: low)), as: UInt64.self, at: target + (count &- 8))
    }
  }

  /// The eight decimal digits of `n` (below 10^8, leading zeros included) as ASCII bytes in one word, the first
  /// digit in the lowest byte (the first in memory once stored little-endian).
  ///
  /// Split into halves of four digits (32 bits each), each half into pairs (16 bits each) and each pair into
  /// digits (8 bits each), every lane at once: a quotient by 100 or 10 as a multiplication and shift that is
  /// exact in the range (x × 10486 / 2^20 = ⌊x / 100⌋ for x below 10^4; x × 103 / 2^10 = ⌊x / 10⌋ below 100),
  /// each lane's product too small to reach the next lane's bits that are kept.
  @inline(__always)
  static func eightDigits(_ n: UInt32) -> UInt64 {
    let high = n / 10_000
    let halves = UInt64(high) | UInt64(n &- high &* 10_000) << 32
    let hundreds = (halves &* 10486) >> 20 & 0x0000_007F_0000_007F
    let pairs = hundreds | (halves &- hundreds &* 100) << 16
    let tens = (pairs &* 103) >> 10 & 0x000F_000F_000F_000F
    let digits = tens | (pairs &- tens &* 10) << 8
    return digits | 0x3030_3030_3030_3030
  }

  /// Stores `value`'s bytes at `target` (any alignment), lowest byte first.
  @inline(__always)
  private static func store<T: FixedWidthInteger>(_ value: T, as type: T.Type, at target: UnsafeMutablePointer<UInt8>) {
    UnsafeMutableRawPointer(target).storeBytes(of: value.littleEndian, as: T.self)
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
