import StrataAssignment

/// Whether a cell's sums about a shift K kept the digits of its variance: the one test behind the warehouse query's
/// per-cell second pass (`CellQuery.refinement(of:)`), the aggregated input's warning and the service's results.
///
/// Goals, in order: never let through a cell whose variance from sums keeps fewer than about nine correct digits;
/// never flag a cell whose K lies within about a thousand standard deviations of its mean (ordinary data, K being one
/// of its values, costs no second query); decide from the three sums alone.
///
/// ```
/// M2 = Σ(x − K)² − (Σ(x − K))²/n        relative error of M2 ≈ 3γ · Σ(x − K)²/M2 = 3γ · (1 + n(x̄ − K)²/M2)
/// ```
/// M2 subtracts two numbers of about Σ(x − K)², each carrying its sum's rounding γ (ε = 2⁻⁵³ ≈ 1.1e-16 for a sum as
/// exact as the unit-level reader's; more for long naive sums, the same with any K). A row is doubtful when
/// M2 < 2⁻²⁰ · Σ(x − K)², that is when K lies more than about 2¹⁰ = 1,024 standard deviations from the mean. A row that
/// passes has Σ(x − K)²/M2 ≤ 2²⁰ ≈ 1.05e6, so with γ = ε its variance is off by at most 3 · 2²⁰ · 2⁻⁵³ ≈ 3.5e-10
/// relative (its standard deviation 1.7e-10): inside the 1e-9 relative the warehouse tests allow between the cells and
/// the unit-level CSV (docs/warehouse.md). The service's running totals rebuild at 2⁻²⁶ (`LivePlan.lostDigits`), a
/// looser test for a costlier remedy.
///
/// A cell whose values are all equal, but not to K, looks the same from its sums (M2 ≈ 0) and is doubtful too; one
/// whose values all equal K has Σ(x − K)² = 0 and is exact. Fewer than two values have no variance to lose.
public enum ShiftedSums {
  /// t: a row is doubtful when M2 < 2⁻ᵗ · Σ(x − K)² (see the type's discussion for the bound).
  public static let doubtfulBits = 20

  /// Whether M2 = `sumOfSquares` − `sum`²/`count` from sums about a shift lost more than `bits` bits
  /// (``doubtfulBits`` unless told: the service's running totals, rebuilt rather than queried again, use 26).
  ///
  /// `sum` = Σ(x − K) and `sumOfSquares` = Σ(x − K)² over `count` values. False for fewer than two values, for
  /// Σ(x − K)² = 0 and for sums that are not finite (those are refused where they are read).
  public static func lostDigits(count: Double, sum: Double, sumOfSquares: Double, bits: Int = doubtfulBits) -> Bool {
    guard count >= 2, count.isFinite, sum.isFinite, sumOfSquares.isFinite, sumOfSquares > 0 else { return false }
    let m2 = sumOfSquares - sum * (sum / count)
    return m2 < sumOfSquares * Double(sign: .plus, exponent: -bits, significand: 1)
  }

  /// `lostDigits(count:sum:sumOfSquares:)` of a column built from shifted sums
  /// (`ColumnMoments(count:shift:sum:sumOfSquares:missing:)`), from the sums it keeps about its own shift.
  public static func lostDigits(_ column: ColumnMoments) -> Bool {
    let sums = column.shiftedSums(about: column.shift)
    return lostDigits(count: column.count, sum: sums.sum, sumOfSquares: sums.sumOfSquares)
  }

  /// The continuous columns (indices in `plan.columns`) of a cell read from one row of shifted sums whose variance lost
  /// its digits.
  public static func doubtfulColumns(of cell: SufficientStatistics.Cell, plan: AnalysisPlan) -> [Int] {
    plan.columns.indices.filter { index in
      plan.columns[index].kind == .continuous && cell.columns.indices.contains(index)
        && lostDigits(cell.columns[index])
    }
  }
}

/// A row of shifted sums whose variance lost its digits (`ShiftedSums.lostDigits`): its cell, column and place.
public struct DoubtfulCell: Sendable, Hashable {
  /// Indices in the plan's variants, segments and value columns (`AnalysisPlan.columns`).
  public var variant: Int
  public var segment: Int
  public var column: Int
  /// Where the row is: the file (or query result) and its line (or row number).
  public var file: String
  public var line: Int
  /// The row's K, and the values it summed.
  public var shift: Double
  public var count: Double

  public init(variant: Int, segment: Int, column: Int, file: String, line: Int, shift: Double, count: Double) {
    self.variant = variant
    self.segment = segment
    self.column = column
    self.file = file
    self.line = line
    self.shift = shift
    self.count = count
  }

  /// `variant treatment, segment new, revenue (line 3 of cells.csv, K = 1e+12)`, for messages.
  public func describe(plan: AnalysisPlan, place: String = "line") -> String {
    "variant \(DisplayText.echo(plan.variants[variant])), segment \(DisplayText.echo(plan.segments[segment])), "
      + "\(DisplayText.echo(plan.columns[column].column)) (\(place) \(line) of \(file), K = \(shift))"
  }
}
