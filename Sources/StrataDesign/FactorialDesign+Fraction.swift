extension FactorialDesign {
  /// The largest p of a 1/2^p fraction that parses (the run count of any supported design is far smaller).
  public static let maximumFractionExponent = 30

  /// p from a fraction 1/2^p written `1/2^p` or `1/2`, `1/4`, `1/8`, … (spaces ignored), for
  /// 1 ≤ p ≤ ``maximumFractionExponent``; nil for anything else.
  ///
  /// The one parser of the spelling, shared by `--fraction` and the experiment file's `fraction:`; whether
  /// p suits the factors is checked by ``init(factors:fractionExponent:)``.
  public static func fractionExponent(parsing text: String) -> Int? {
    let compact = text.filter { !$0.isWhitespace }
    guard compact.hasPrefix("1/") else { return nil }
    let denominator = compact.dropFirst(2)
    if denominator.hasPrefix("2^") {
      guard let p = Int(denominator.dropFirst(2)), (1...maximumFractionExponent).contains(p) else { return nil }
      return p
    }
    guard let value = Int(denominator), value >= 2, value <= 1 << maximumFractionExponent, value & (value - 1) == 0
    else { return nil }
    return value.trailingZeroBitCount
  }
}
