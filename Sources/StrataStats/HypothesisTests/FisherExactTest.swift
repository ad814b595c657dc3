#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Fisher's exact test on a 2 × 2 table of counts.
///
/// The table is read as rows = arms (control first, then treatment) and columns = (converted, not
/// converted): `[[a, b], [c, d]]`. Conditioning on the margins, the top-left count X is hypergeometric
/// with population N = a + b + c + d, K = a + c marked items and n = a + b draws:
/// ```
/// P(X = k) = C(K, k) · C(N − K, n − k) / C(N, n)
/// two-sided p = Σ P(X = k) over k with P(X = k) ≤ P(X = a) · (1 + 10⁻¹⁴)
/// odds ratio (the statistic) = a·d / (b·c), +∞ when b·c = 0
/// ```
/// The two-sided p-value and the sample odds ratio match `scipy.stats.fisher_exact(table)` (scipy 1.17.1
/// uses the relative tie tolerance 1e-14; R's `fisher.test` uses 1e-7, which only matters for near-ties).
/// Treatment minus control: `.greater` means the treatment converts better, that is X is small and the
/// odds ratio below 1, which is scipy's `alternative="less"` (`P(X ≤ a)`); `.less` is scipy's `"greater"`.
/// Note the odds ratio itself is control odds over treatment odds (the contract's a·d/(b·c)).
///
/// Tail sums are formed in log space from the mode outward (see `HypergeometricTails.swift`), so p-values
/// near 1e-265 keep full precision and tables with counts of 1e8 take milliseconds. A p-value below the
/// smallest double (≈ 5e-324) is reported as 0. See [Fisher 1922].
///
/// [Fisher 1922]: https://doi.org/10.2307/2340521
///
/// > R. A. Fisher. "On the interpretation of χ² from contingency tables, and the calculation of P."
/// > *JRSS* 85 (1922), 87–94.
public struct FisherExactTest: Sendable, Hashable {
  public var table: [[Double]]
  public var alternative: Alternative

  /// The largest table total accepted: beyond it, use the chi-squared test (the two agree there).
  public static let maximumTotal: Double = 4_294_967_295

  /// Validates: 2 × 2, whole non-negative counts, every row and column total positive, total ≤ 2³² − 1.
  public init(table: [[Double]], alternative: Alternative = .twoSided) throws(StatsError) {
    try StatsError.require(
      table.count == 2 && table.allSatisfy { $0.count == 2 }, "table",
      "must be 2 × 2 for Fisher's exact test, got \(table.count) rows of \(table.map { String($0.count) }.joined(separator: ", ")) entries"
    )
    try Self.validate(table[0][0], table[0][1], table[1][0], table[1][1])
    self.table = table
    self.alternative = alternative
  }

  /// a·d / (b·c); +∞ when b·c = 0 (never NaN: a zero numerator and denominator would need an empty margin).
  public var oddsRatio: Double {
    let denominator = table[1][0] * table[0][1]
    return denominator > 0 ? table[0][0] * table[1][1] / denominator : .infinity
  }

  public func result() throws(StatsError) -> FisherExactResult {
    // Checked by the initializer, so not again (as before; `table` is settable).
    let pValue = try Self.pValue(checked: table[0][0], table[0][1], table[1][0], table[1][1], alternative: alternative)
    return FisherExactResult(
      test: TestResult(statistic: oddsRatio, pValue: pValue, alternative: alternative), oddsRatio: oddsRatio)
  }

  /// `result().test.pValue` of the table `[[a, b], [c, d]]`, checked as the initializer checks it (the same errors in
  /// the same order), without making the table: its three arrays cost about 1,100 instructions with their release,
  /// for each binary comparison decided by this test (one per segment and treatment).
  package static func pValue(
    _ a: Double, _ b: Double, _ c: Double, _ d: Double, alternative: Alternative
  ) throws(StatsError) -> Double {
    try validate(a, b, c, d)
    return try pValue(checked: a, b, c, d, alternative: alternative)
  }

  /// The counts of a 2 × 2 table `[[a, b], [c, d]]`: whole and non-negative, every row and column total positive,
  /// the total at most `maximumTotal`.
  private static func validate(_ a: Double, _ b: Double, _ c: Double, _ d: Double) throws(StatsError) {
    try StatsError.requireCount(a, "table row 1, column 1")
    try StatsError.requireCount(b, "table row 1, column 2")
    try StatsError.requireCount(c, "table row 2, column 1")
    try StatsError.requireCount(d, "table row 2, column 2")
    try StatsError.require(a + b > 0, "table row 1", "sums to 0, so the test has no information")
    try StatsError.require(a + c > 0, "table column 1", "sums to 0, so the test has no information")
    try StatsError.require(c + d > 0, "table row 2", "sums to 0, so the test has no information")
    try StatsError.require(b + d > 0, "table column 2", "sums to 0, so the test has no information")
    let total = a + b + c + d
    try StatsError.require(
      total <= Self.maximumTotal, "table",
      "total \(total) exceeds \(Self.maximumTotal); use the chi-squared test for tables this large")
  }

  private static func pValue(
    checked a: Double, _ b: Double, _ c: Double, _ d: Double, alternative: Alternative
  ) throws(StatsError) -> Double {
    let pValue = try tailProbability(a, b, c, d, alternative: alternative)
    guard pValue.isFinite, pValue >= 0 else {
      throw .numerical(routine: "FisherExactTest.result", status: 0, message: "p-value \(pValue) is not a probability")
    }
    return pValue
  }

  /// Past this many nats below the mode, a term is below e⁻⁸⁰⁰ of the largest: any tail sum starting
  /// there is < 4.3e9 · e⁻⁸⁰⁰ ≈ 1e-338 of the total and rounds to 0 in double precision.
  private static let negligibleLogWeight = -800.0
  /// Walking stops 50 nats (e⁻⁵⁰ ≈ 2e-22) below the smallest term that matters; the remaining tail decays
  /// at least geometrically and adds < 1e-17 relative even for the widest allowed distribution.
  private static let truncationMargin = 50.0

  private static func tailProbability(
    _ a: Double, _ b: Double, _ c: Double, _ d: Double, alternative: Alternative
  ) throws(StatsError) -> Double {
    let draws = a + b
    let successes = a + c
    let population = draws + c + d
    let lowest = max(0, draws - (population - successes))
    let highest = min(successes, draws)
    let mode = ((draws + 1) * (successes + 1) / (population + 2)).rounded(.down)

    var right = HypergeometricBranch(
      direction: 1, limit: highest, population: population, successes: successes, draws: draws, mode: mode)
    var left = HypergeometricBranch(
      direction: -1, limit: lowest, population: population, successes: successes, draws: draws, mode: mode)
    let observedIsAbove = a >= mode
    let distance = Int(abs(a - mode))

    // 1. Walk to the observed value, unless it lies where every tail beyond it rounds to 0.
    if observedIsAbove {
      right.extend { w, steps in steps < distance && w > Self.negligibleLogWeight }
    } else {
      left.extend { w, steps in steps < distance && w > Self.negligibleLogWeight }
    }
    let reached = (observedIsAbove ? right : left).logWeights.count - 1 == distance
    guard reached else {
      // Far tail: the tail beyond a is ~0 and its complement ~1.
      switch alternative {
      case .twoSided: return 0
      case .greater: return observedIsAbove ? 1 : 0  // P(X ≤ a)
      case .less: return observedIsAbove ? 0 : 1  // P(X ≥ a)
      }
    }
    let observedLogWeight = (observedIsAbove ? right : left).logWeights[distance]

    // 2. Extend both sides until the terms are negligible against both the mode and the observed term.
    let cutoff = observedLogWeight - Self.truncationMargin
    right.extend { w, _ in w >= cutoff }
    left.extend { w, _ in w >= cutoff }
    let logTotal = log(right.sum(from: 0, reference: 0) + left.sum(from: 1, reference: 0))

    // 3. The requested tail, relative to its largest term, then normalised in log space.
    let own = observedIsAbove ? right : left
    let other = observedIsAbove ? left : right
    switch alternative {
    case .twoSided:
      // Absolute error of w after s steps is about s·4e-16; allow it on top of scipy's 1e-14.
      func tolerance(_ steps: Int) -> Double { 1e-14 + 1e-15 * Double(distance + steps) }
      if -observedLogWeight <= tolerance(0) { return 1 }
      let tail =
        own.sum(from: distance, reference: observedLogWeight)
        + other.sum(from: 1, reference: observedLogWeight) { w, j in w - observedLogWeight <= tolerance(j) }
      return min(1, exp(observedLogWeight + log(tail) - logTotal))
    case .greater, .less:
      // .greater is P(X ≤ a), .less is P(X ≥ a); "towards" means the tail away from the mode.
      let towardsObservedTail = (alternative == .greater) != observedIsAbove
      if towardsObservedTail {
        return min(1, exp(observedLogWeight + log(own.sum(from: distance, reference: observedLogWeight)) - logTotal))
      }
      let body = other.sum(from: 0, reference: 0) + own.sum(from: 1, reference: 0) { _, j in j <= distance }
      return min(1, exp(log(body) - logTotal))
    }
  }
}

/// What `FisherExactTest` reports: `test.statistic` is the sample odds ratio, as in scipy.
public struct FisherExactResult: Sendable, Hashable {
  public var test: TestResult
  /// a·d / (b·c); +∞ when b·c = 0.
  public var oddsRatio: Double

  public init(test: TestResult, oddsRatio: Double) {
    self.test = test
    self.oddsRatio = oddsRatio
  }
}
