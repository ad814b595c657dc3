/// Pearson's chi-squared test of independence on an R × C contingency table of counts.
///
/// ```
/// E_ij = (row_i · column_j) / total
/// χ² = Σ (O_ij − E_ij)² / E_ij,   ν = (R − 1)(C − 1),   p = Q_χ²(χ², ν)
/// Yates (2 × 2 only): O'_ij = O_ij + sign(E_ij − O_ij) · min(½, |E_ij − O_ij|)
/// ```
/// The continuity correction moves each count half a unit towards its expectation but never past it (the
/// clamp in `min`), so a table within half a unit of independence gets χ² = 0 and p = 1. It is applied only
/// when asked and only to 2 × 2 tables (ν = 1), as `scipy.stats.chi2_contingency(table, correction=...)`
/// does; the statistic, ν, p and expected table match it. The p-value is GSL's upper tail
/// `gsl_cdf_chisq_Q`, accurate below 1e-300. See [Pearson 1900] and [Yates 1934].
///
/// Rows and columns each need at least two entries and a positive total: an empty row or column has
/// expected counts of 0, where χ² is undefined, and is rejected as invalid input.
///
/// [Pearson 1900]: https://doi.org/10.1080/14786440009463897
/// [Yates 1934]: https://doi.org/10.2307/2983604
///
/// > K. Pearson. "On the criterion that a given system of deviations …" *Phil. Mag.* 50 (1900), 157–175.
/// > F. Yates. "Contingency tables involving small numbers and the χ² test." *Suppl. JRSS* 1 (1934), 217–235.
public struct ChiSquaredIndependenceTest: Sendable, Hashable {
  public var table: [[Double]]
  public var yatesCorrection: Bool

  /// Validates: at least 2 × 2, rectangular, whole non-negative finite counts, no row or column summing to 0.
  public init(table: [[Double]], yatesCorrection: Bool = false) throws(StatsError) {
    try StatsError.require(table.count >= 2, "table", "needs at least 2 rows, got \(table.count)")
    let columns = table[0].count
    try StatsError.require(columns >= 2, "table", "needs at least 2 columns, got \(columns)")
    for (i, row) in table.enumerated() {
      try StatsError.require(
        row.count == columns, "table row \(i + 1)", "has \(row.count) entries but row 1 has \(columns)")
      for (j, x) in row.enumerated() {
        try StatsError.requireCount(x, "table row \(i + 1), column \(j + 1)")
      }
    }
    for (i, row) in table.enumerated() {
      try StatsError.require(
        row.reduce(0, +) > 0, "table row \(i + 1)", "sums to 0, so its expected counts are 0 and χ² is undefined")
    }
    for j in 0..<columns {
      try StatsError.require(
        table.reduce(0) { $0 + $1[j] } > 0, "table column \(j + 1)",
        "sums to 0, so its expected counts are 0 and χ² is undefined")
    }
    self.table = table
    self.yatesCorrection = yatesCorrection
  }

  /// The expected counts under independence, E_ij = row_i · column_j / total.
  public var expected: [[Double]] {
    let rowTotals = table.map { $0.reduce(0, +) }
    let columnTotals = (0..<table[0].count).map { j in table.reduce(0) { $0 + $1[j] } }
    let total = rowTotals.reduce(0, +)
    return rowTotals.map { r in columnTotals.map { c in r * c / total } }
  }

  public func result() throws(StatsError) -> ChiSquaredResult {
    let expected = self.expected
    let degreesOfFreedom = Double((table.count - 1) * (table[0].count - 1))
    let correct = yatesCorrection && degreesOfFreedom == 1
    var statistic = 0.0
    for (observedRow, expectedRow) in zip(table, expected) {
      for (o, e) in zip(observedRow, expectedRow) {
        var deviation = o - e
        if correct {
          // Shrink |O − E| by ½, clamped at 0: the same as scipy's O + sign(E − O)·min(½, |E − O|).
          deviation = (deviation < 0 ? -1 : 1) * max(0, abs(deviation) - 0.5)
        }
        statistic += deviation * deviation / e
      }
    }
    guard statistic.isFinite else {
      throw .numerical(routine: "ChiSquaredIndependenceTest.result", status: 0, message: "χ² is \(statistic)")
    }
    let pValue = try ChiSquared(degreesOfFreedom: degreesOfFreedom).survival(statistic)
    return ChiSquaredResult(
      test: TestResult(statistic: statistic, pValue: pValue, alternative: .greater),
      degreesOfFreedom: degreesOfFreedom, expected: expected)
  }
}

/// What the chi-squared tests report.
///
/// `test.statistic` is χ² (no sign); `test.alternative` is `.greater`
/// because only large χ² counts against the null.
public struct ChiSquaredResult: Sendable, Hashable {
  public var test: TestResult
  public var degreesOfFreedom: Double
  /// Expected counts under the null: the R × C table for independence, one row for goodness of fit.
  public var expected: [[Double]]

  public init(test: TestResult, degreesOfFreedom: Double, expected: [[Double]]) {
    self.test = test
    self.degreesOfFreedom = degreesOfFreedom
    self.expected = expected
  }
}
