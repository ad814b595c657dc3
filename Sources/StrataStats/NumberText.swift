import Foundation

/// Number formatting for people, shared by the verdict, the terminal table and the reports.
public enum NumberText {
  /// A rate as a percentage: 0.1834 → "18.34%".
  public static func percent(_ x: Double, digits: Int = 1) -> String {
    guard x.isFinite else { return "n/a" }
    return FixedDecimals.format(x * 100, digits: digits) + "%"
  }

  /// A probability for people, whole percent, never a false certainty: 0.9996 → "> 99%", 0.003 → "< 1%".
  public static func chance(_ x: Double) -> String {
    guard x.isFinite else { return "n/a" }
    if x > 0.99 { return "> 99%" }
    if x < 0.01 { return "< 1%" }
    return FixedDecimals.format(x * 100, digits: 0) + "%"
  }

  /// A difference of rates in percentage points with a sign: 0.021 → "+2.1 pp".
  public static func points(_ x: Double, digits: Int = 1) -> String {
    guard x.isFinite else { return "n/a" }
    return signed(FixedDecimals.format(x * 100, digits: digits), x) + " pp"
  }

  /// A relative lift with a sign: 0.115 → "+11.5%".
  public static func relative(_ x: Double?, digits: Int = 1) -> String {
    guard let x, x.isFinite else { return "n/a" }
    return signed(FixedDecimals.format(x * 100, digits: digits), x) + "%"
  }

  /// A p-value: "0.032", "< 0.001" style only below 1e-4 as scientific ("3.2e-07").
  public static func pValue(_ p: Double?) -> String {
    guard let p, p.isFinite else { return "n/a" }
    if p == 0 { return "< 1e-300" }
    if p < 1e-4 { return String(format: "%.1e", p) }
    if p < 0.01 { return FixedDecimals.format(p, digits: 4) }
    return FixedDecimals.format(p, digits: 3)
  }

  /// A plain number with `digits` decimals, signed when `sign` is true; in exponent form when decimals would not
  /// show it well (`usesExponent`).
  public static func number(_ x: Double, digits: Int = 2, sign: Bool = false) -> String {
    guard x.isFinite else { return x.isNaN ? "n/a" : (x > 0 ? "∞" : "−∞") }
    let text = usesExponent(x, digits: digits) ? exponentForm(x) : FixedDecimals.format(x, digits: digits)
    return sign ? signed(text, x) : text
  }

  /// Whether `number` writes `x` in exponent form: at 10^15 and above (where decimals would be a string of 16 or
  /// more digits), and below 0.0005 when the decimals would round it to zero (0.000 for a value that is not 0).
  ///
  /// Data in a very large or very small unit (revenue × 10^90, a duration × 10^-157) then reads as +2.22e+89 or
  /// 3.10e-157 rather than a 90-digit string or 0.000; every other value keeps its decimals.
  static func usesExponent(_ x: Double, digits: Int) -> Bool {
    let size = x.magnitude
    if size >= 1e15 { return true }
    guard size != 0, size < 5e-4, (0...9).contains(digits) else { return false }
    return FixedDecimals.scaled(size, digits: digits) == 0
  }

  /// `x` in C's `%.2e` form, three significant digits and the exponent's sign and at least two digits, as the
  /// p-values' 9.9e-09: 2.22e+89, -3.10e-157.
  private static func exponentForm(_ x: Double) -> String { String(format: "%.2e", x) }

  /// A plain number with `digits` decimals and the minus sign the reports print (U+2212, as in `signed`), no plus:
  /// -0.36 → "−0.36"; a value that rounds to zero has no sign ("0.00", never "−0.00").
  public static func minus(_ x: Double, digits: Int = 2) -> String {
    let text = number(x, digits: digits)
    guard text.hasPrefix("-") else { return text }
    return isZero(String(text.dropFirst())) ? String(text.dropFirst()) : "−" + text.dropFirst()
  }

  /// A number in scientific notation with `digits` decimals: 3.2e-07.
  public static func scientific(_ x: Double, digits: Int = 2) -> String {
    guard x.isFinite else { return x.isNaN ? "n/a" : (x > 0 ? "∞" : "−∞") }
    return String(format: "%.\(digits)e", x)
  }

  /// A number for a table of results: scientific below 1e-4 (p-values, tiny rates), else `digits` decimals.
  public static func human(_ x: Double, digits: Int = 4) -> String {
    guard x.isFinite else { return x.isNaN ? "n/a" : (x > 0 ? "∞" : "−∞") }
    if x != 0 && abs(x) < 1e-4 { return scientific(x, digits: 3) }
    return number(x, digits: digits)
  }

  /// A number in the fewest digits that show it, up to six significant (C's `%g`): 0.05, 1e-05, 2000.
  public static func general(_ x: Double) -> String {
    guard x.isFinite else { return x.isNaN ? "n/a" : (x > 0 ? "∞" : "−∞") }
    return String(format: "%g", x)
  }

  /// A small parameter in prose (α per comparison, τ): four significant digits, scientific below 0.001
  /// (0.008333, 0.05, 2.50e-04).
  public static func compact(_ x: Double) -> String {
    guard x.isFinite else { return x.isNaN ? "n/a" : (x > 0 ? "∞" : "−∞") }
    return x < 1e-3 ? String(format: "%.2e", x) : String(format: "%.4g", x)
  }

  /// A whole count with thousands separators: 1234567 → "1,234,567".
  ///
  /// Beyond 2⁵³ (where a double no longer holds every whole number) in exponent form with three significant
  /// digits, "2.22e+91": a count of 1e19 or more trapped converting to `Int64` (a Bayesian risk of 2e91 stopped
  /// `analyze --report`).
  public static func count(_ x: Double) -> String {
    guard x.isFinite else { return "n/a" }
    let rounded = x.rounded()
    guard rounded.magnitude <= 9_007_199_254_740_992 else {
      return (x < 0 ? "−" : "") + exponentForm(x.magnitude)
    }
    return (x < 0 ? "−" : "") + grouped(String(Int64(rounded).magnitude))
  }

  /// Every `Int`, with a comma between thousands (`Int.max` trapped through the double).
  public static func count(_ x: Int) -> String { (x < 0 ? "−" : "") + grouped(String(x.magnitude)) }

  /// `digits` with a comma between thousands.
  private static func grouped(_ digits: String) -> String {
    var out = ""
    for (index, character) in digits.enumerated() {
      if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
      out.append(character)
    }
    return out
  }

  /// An effect in the metric's own unit: percentage points for rates, the mean's unit otherwise.
  public static func effect(_ x: Double, binomial: Bool) -> String {
    binomial ? points(x) : number(x, digits: magnitudeDigits(x), sign: true)
  }

  /// A level in the metric's own unit: a percentage for rates, a number otherwise.
  public static func level(_ x: Double, binomial: Bool) -> String {
    binomial ? percent(x) : number(x, digits: magnitudeDigits(x))
  }

  /// An interval "[a, b]" in the metric's unit.
  public static func interval(_ lower: Double, _ upper: Double, binomial: Bool) -> String {
    "[\(bound(lower, binomial)), \(bound(upper, binomial))]"
  }

  private static func bound(_ x: Double, _ binomial: Bool) -> String {
    guard x.isFinite else { return x > 0 ? "∞" : "−∞" }
    return binomial
      ? signed(FixedDecimals.format(x * 100, digits: 1), x) : number(x, digits: magnitudeDigits(x), sign: true)
  }

  private static func magnitudeDigits(_ x: Double) -> Int {
    let size = abs(x)
    if size >= 100 { return 1 }
    if size >= 1 { return 2 }
    return 3
  }

  private static func signed(_ text: String, _ x: Double) -> String {
    if text.hasPrefix("-") {
      return isZero(String(text.dropFirst())) ? String(text.dropFirst()) : "−" + text.dropFirst()
    }
    return x >= 0 && !isZero(text) ? "+" + text : text
  }

  private static func isZero(_ text: String) -> Bool { text.allSatisfy { $0 == "0" || $0 == "." } }

  /// `names` joined by ", " when they fit in `budget` characters and number at most `limit`; else the first ones
  /// that fit (one at least, kept whole) and how many more (two or more): "north, south and 38 more".
  ///
  /// A sentence that lists segments stays a sentence however many there are and however long their names: with
  /// only a count limit, forty 73-character names made a bullet of 2,311 characters and a warning of 2,395. A handful
  /// of short names reads as before, all of them.
  public static func names(_ names: [String], limit: Int = 30, budget: Int = namesBudget) -> String {
    let listed = listedNames(names, limit: limit, budget: budget)
    guard listed < names.count else { return names.joined(separator: ", ") }
    return names.prefix(listed).joined(separator: ", ") + " and \(count(names.count - listed)) more"
  }

  /// How many of `names` `names(_:limit:budget:)` lists: all of them, or the first ones whose text joined by ", "
  /// fits in `budget` characters (at least one, at most `limit`), except that all but one means all of them.
  ///
  /// Never all but one, which lists all of them: "and 1 more" would make the reader look up a single name the
  /// sentence could have given (two segments with long names read as before). That last name is outside the budget
  /// and the limit: 31 names where 30 fit are all listed, and so are two names of 300 characters.
  public static func listedNames(_ names: [String], limit: Int = 30, budget: Int = namesBudget) -> Int {
    var length = 0
    var listed = 0
    for name in names.prefix(limit) {
      let added = name.count + (listed == 0 ? 0 : 2)
      if listed > 0 && length + added > budget { break }
      length += added
      listed += 1
    }
    return listed == names.count - 1 ? names.count : listed
  }

  /// The characters a list of names may take in a sentence.
  ///
  /// About two lines of a terminal, so that the sentence around it stays under 300 characters. It holds six names
  /// of 20 characters (130) but one of 73 (two take 148).
  public static let namesBudget = 140
}
