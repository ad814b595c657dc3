import Foundation

/// A number with a fixed count of decimals, exactly as C's `%.Nf` writes it (`String(format: "%.2f", x)`),
/// without Foundation's formatting machinery.
///
/// `String(format:)` cost about 11,600 instructions a call on Linux (CoreFoundation parses the format and calls
/// the C library), 15–19% of a report's instructions; the reports print a few thousand such numbers each.
///
/// The digits are the double's exact value times 10^N rounded to the nearest integer, an exact tie to the even one
/// (the C library's rounding): the value is `c × 2^q` with a 53-bit `c`, so `c × 10^N` (N ≤ 9) fits in 128 bits
/// and the rounding is a shift and a look at the bits shifted out. A negative value keeps its `-` when it rounds to
/// zero (`-0.00`), as `%.Nf` does; `-0.0` prints `-0.0`. Values whose digits would not fit in 64 bits (at least
/// 1.8 × 10^19 / 10^N), NaN and infinities go to `String(format:)`.
public enum FixedDecimals {
  private static let powersOfTen: [UInt64] = [
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
  ]

  /// `x` with `digits` decimals, as `String(format: "%.<digits>f", x)`.
  public static func format(_ x: Double, digits: Int) -> String {
    guard x.isFinite, (0...9).contains(digits), let scaled = scaled(x.magnitude, digits: digits) else {
      return String(format: "%.\(digits)f", x)
    }
    var text = String(scaled)
    if digits > 0 {
      if text.utf8.count <= digits {
        text = String(repeating: "0", count: digits + 1 - text.utf8.count) + text
      }
      text.insert(".", at: text.index(text.endIndex, offsetBy: -digits))
    }
    return x.sign == .minus ? "-" + text : text
  }

  /// `magnitude × 10^digits` rounded to the nearest integer (a tie to the even one); nil when it does not fit in
  /// 64 bits.
  static func scaled(_ magnitude: Double, digits: Int) -> UInt64? {
    let bits = magnitude.bitPattern
    let biased = Int(bits >> 52)
    let fraction = bits & (1 << 52 - 1)
    // magnitude = c × 2^q
    let c = biased == 0 ? fraction : fraction | 1 << 52
    let q = (biased == 0 ? 1 : biased) - 1075
    let product = UInt128(c) * UInt128(powersOfTen[digits])
    if q >= 0 {
      guard q < 64, product >> (64 - q) == 0 else { return nil }
      return UInt64(product << q)
    }
    let shift = -q
    guard shift < 128 else { return 0 }  // below 2^-75: product < 2^83, under half of 2^shift
    let quotient = product >> shift
    guard quotient >> 64 == 0 else { return nil }
    let remainder = product & ((1 << shift) - 1)
    let half = UInt128(1) << (shift - 1)
    let result = UInt64(quotient)
    guard remainder > half || (remainder == half && result & 1 == 1) else { return result }
    return result == .max ? nil : result + 1
  }
}
