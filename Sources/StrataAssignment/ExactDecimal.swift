/// A non-negative decimal with at most four fractional digits, held exactly as an integer number of
/// ten-thousandths (`0.25` is 2500, `3` is 30000).
///
/// Weights, traffic and holdout shares are exact decimals so that bucketing uses integers only: the
/// spec (docs/assignment-spec.md) never converts a weight through floating point, so every language
/// lays out the same bucket ranges.
public struct ExactDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// The value times 10,000.
  public var tenThousandths: Int

  /// The largest accepted value (one million), so that bucket arithmetic cannot overflow.
  public static let maximum = ExactDecimal(tenThousandths: 1_000_000 * 10_000)

  public init(tenThousandths: Int) {
    precondition(tenThousandths >= 0, "an ExactDecimal is non-negative")
    self.tenThousandths = tenThousandths
  }

  /// A whole number.
  public init(_ integer: Int) { self.init(tenThousandths: integer * 10_000) }

  /// Parses plain decimal text such as `1`, `0.5`, `33.3333` (no sign, no exponent, at most four fractional digits, at
  /// most one million).
  ///
  /// Returns nil for anything else.
  public init?(parsing text: some StringProtocol) {
    var whole = 0
    var fraction = 0
    var fractionDigits = 0
    var seenPoint = false
    var digits = 0
    for byte in text.utf8 {
      if byte == UInt8(ascii: ".") {
        if seenPoint { return nil }
        seenPoint = true
      } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
        let digit = Int(byte - UInt8(ascii: "0"))
        digits += 1
        if seenPoint {
          fractionDigits += 1
          if fractionDigits > 4 { return nil }
          fraction = fraction * 10 + digit
        } else {
          whole = whole * 10 + digit
          if whole > 1_000_000 { return nil }
        }
      } else {
        return nil
      }
    }
    guard digits > 0 else { return nil }
    for _ in fractionDigits..<4 { fraction *= 10 }
    let value = whole * 10_000 + fraction
    guard value <= ExactDecimal.maximum.tenThousandths else { return nil }
    self.init(tenThousandths: value)
  }

  /// The nearest exact decimal to a `Double` in [0, 1,000,000], or nil outside that range.
  public init?(approximating value: Double) {
    guard value.isFinite, value >= 0, value <= 1_000_000 else { return nil }
    self.init(tenThousandths: Int(value * 10_000 + 0.5))  // round half up; value is non-negative
  }

  /// The value as a `Double` (for display and statistics, never for bucketing).
  public var doubleValue: Double { Double(tenThousandths) / 10_000 }

  public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool { lhs.tenThousandths < rhs.tenThousandths }

  /// Plain decimal text without trailing zeros (`0.5`, `3`).
  public var description: String {
    let whole = tenThousandths / 10_000
    var fraction = tenThousandths % 10_000
    guard fraction != 0 else { return String(whole) }
    var digits = 4
    while fraction % 10 == 0 {
      fraction /= 10
      digits -= 1
    }
    let text = String(fraction)
    return "\(whole)." + String(repeating: "0", count: digits - text.count) + text
  }
}

extension ExactDecimal: ExpressibleByIntegerLiteral {
  public init(integerLiteral value: Int) { self.init(value) }
}
