import StrataAnalysis
import StrataAssignment

/// Turns the rows of a `CellQuery` result into cell statistics and the data account (`CellQuery.summary`).
///
/// The rows are what the query's final `SELECT` wrote, so a row that does not fit (a sum that is not a
/// number, more units with a value than units) means the engine or the query went wrong: it is an error
/// naming the row and the column, never a silently dropped row. Rows of variants or segments the plan does
/// not have are the unit rows the CSV reader drops for the same reason, counted by their `n`.
struct CellResultReader {
  /// Where one metric's numbers are in the result.
  private struct MetricFields {
    var count: Int?
    var shift: Int?
    var sum: Int
    var sumOfSquares: Int?
    /// `<col>_zero_filled`, for a column with `missing: zero`.
    var zeroFilled: Int?
  }

  private let plan: AnalysisPlan
  private let source: String
  private let columns: [String]
  private let variant: Int
  private let segment: Int?
  private let units: Int
  private let metrics: [MetricFields]
  private let pairs: [Int]
  /// Per pair: its own units' count and sums (`CellQuery.pairUnitsColumns`), when the query has them.
  private let pairUnits: [(count: Int, sumA: Int, sumB: Int)?]
  /// Optional account columns (`CellQuery.DroppedRows`) and the event shape's excluded units.
  private let dropped: [(kind: DataIssues.Kind, column: Int)]
  private let excludedUnits: Int?
  private let checksDuplicates: Bool
  /// Whether every column with `missing: zero` has its `<col>_zero_filled` count.
  private let zeroFillsCounted: Bool
  private var statistics: SufficientStatistics
  /// Positions of the regression columns (`RegressionCells.columnNames`), and Lin's pass 1 read from them.
  private let regressionFields: [String: Int]
  private var regressionCells: RegressionCells
  private var issues = DataIssues()
  /// Rows whose shifted sums lost their variance's digits (`ShiftedSums`), with their row numbers.
  private var doubtfulCells: [DoubtfulCell] = []
  private var rowsRead = 0
  private var rowsUsed = 0
  private var excluded = 0

  init(query: CellQuery, columns: [String], source: String) throws(WarehouseError) {
    let plan = query.plan
    self.plan = plan
    self.source = source
    self.columns = columns
    func column(_ name: String) throws(WarehouseError) -> Int {
      guard let index = columns.firstIndex(of: name) else {
        throw WarehouseError(
          "the result from \(source) has no column \"\(name)\" (columns: \(DisplayText.list(columns))); was it made by this definition's query?"
        )
      }
      return index
    }
    variant = try column("variant")
    segment = plan.segments.count > 1 ? try column("segment") : nil
    units = try column("n")
    var metrics: [MetricFields] = []
    for metric in plan.columns {
      let continuous = metric.kind == .continuous
      metrics.append(
        MetricFields(
          count: columns.firstIndex(of: metric.column + "_n"), shift: columns.firstIndex(of: metric.column + "_shift"),
          sum: try column(metric.column + "_sum"),
          sumOfSquares: continuous ? try column(metric.column + "_sum_sq") : nil,
          zeroFilled: metric.missing == .zero ? columns.firstIndex(of: metric.column + CellQuery.zeroFilledSuffix) : nil
        ))
    }
    self.metrics = metrics
    zeroFillsCounted = zip(plan.columns, metrics).allSatisfy { $0.missing == .exclude || $1.zeroFilled != nil }
    var pairs: [Int] = []
    var pairUnits: [(count: Int, sumA: Int, sumB: Int)?] = []
    for pair in plan.crossProducts {
      pairs.append(try column(CellQuery.crossProductColumn(pair, plan: plan)))
      if let names = CellQuery.pairUnitsColumns(pair, plan: plan) {
        pairUnits.append((try column(names.count), try column(names.sumA), try column(names.sumB)))
      } else {
        pairUnits.append(nil)
      }
    }
    self.pairs = pairs
    self.pairUnits = pairUnits
    dropped = CellQuery.DroppedRows.allCases.compactMap { kind in
      columns.firstIndex(of: kind.column).map { (kind.issue, $0) }
    }
    checksDuplicates = columns.contains(CellQuery.DroppedRows.duplicateUnit.column)
    excludedUnits = columns.firstIndex(of: EventSchema.excludedUnitsColumn)
    statistics = SufficientStatistics(plan: plan)
    var regressionFields: [String: Int] = [:]
    for name in RegressionCells.columnNames(plan: plan) { regressionFields[name] = try column(name) }
    self.regressionFields = regressionFields
    regressionCells = RegressionCells(plan: plan)
  }

  /// Adds result row `number` (1-based, for messages).
  mutating func consume(_ row: [QueryResult.Value], number: Int) throws(WarehouseError) {
    func fail(_ column: Int, _ problem: String) -> WarehouseError {
      WarehouseError("row \(number) of the result from \(source) has \(describe(row, column)), \(problem)")
    }
    guard row.count == columns.count else {
      throw WarehouseError(
        "row \(number) of the result from \(source) has \(row.count) values for \(columns.count) columns")
    }
    guard let n = whole(row[units]) else { throw fail(units, "which must be a whole number ≥ 0") }
    for (kind, column) in dropped {
      guard let count = whole(row[column]) else { throw fail(column, "which must be a whole number ≥ 0") }
      rowsRead += count
      issues.record(kind, count: count, example: "rows \(CellQuery.DroppedRows(issue: kind).phrase)")
    }
    if let excludedUnits {
      guard let count = whole(row[excludedUnits]) else { throw fail(excludedUnits, "which must be a whole number ≥ 0") }
      excluded = max(excluded, count)  // the same count on every row
    }
    rowsRead += n
    guard let variantIndex = row[variant].index(in: plan.variants) else {
      issues.record(
        .unknownVariant, count: n,
        example:
          "has unknown variant \"\(DisplayText.echo(row[variant].text ?? ""))\" (the experiment has \(DisplayText.list(plan.variants)))"
      )
      return
    }
    var segmentIndex = 0
    if let segment {
      guard let index = row[segment].index(in: plan.segments) else {
        issues.record(
          .unknownSegment, count: n,
          example:
            "has unknown segment \"\(DisplayText.echo(row[segment].text ?? ""))\" (the experiment has \(DisplayText.list(plan.segments)))"
        )
        return
      }
      segmentIndex = index
    }
    var cell = SufficientStatistics.Cell(units: n, columns: [], pairs: [])
    var shifted: [(count: Double, shift: Double, sum: Double)] = []
    for (index, metric) in plan.columns.enumerated() {
      let fields = metrics[index]
      var count = Double(n)
      if let column = fields.count {
        guard let value = whole(row[column]), value <= n else {
          throw fail(column, "which must be a whole number between 0 and n = \(n)")
        }
        count = Double(value)
      }
      var shift = 0.0
      if let column = fields.shift {
        guard let value = row[column].number else { throw fail(column, "which is not a finite number") }
        shift = value
      }
      guard let sum = row[fields.sum].number else { throw fail(fields.sum, "which is not a finite number") }
      let missing = n - Int(count)
      if metric.kind == .binomial {
        let successes = sum + count * shift
        let rounded = successes.rounded()
        guard rounded >= 0, rounded <= count, abs(successes - rounded) <= 1e-9 * max(1, count * abs(shift)) else {
          throw fail(
            fields.sum, "which is not a whole number of successes between 0 and \(Int(count)) for a 0/1 metric")
        }
        cell.columns.append(ColumnMoments(count: count, sum: rounded, sumOfSquares: rounded, missing: missing))
        shifted.append((count, 0, rounded))
      } else {
        guard let column = fields.sumOfSquares, let squares = row[column].number, squares >= 0 else {
          throw fail(fields.sumOfSquares ?? fields.sum, "which must be a number ≥ 0")
        }
        cell.columns.append(
          ColumnMoments(count: count, shift: shift, sum: sum, sumOfSquares: squares, missing: missing))
        shifted.append((count, shift, sum))
      }
      if let column = fields.zeroFilled {
        guard let value = whole(row[column]), Double(value) <= count else {
          throw fail(column, "which must be a whole number between 0 and the \(Int(count)) units with a value")
        }
        cell.columns[cell.columns.count - 1].zeroFilled = value
      }
    }
    for (index, pair) in plan.crossProducts.enumerated() {
      let column = pairs[index]
      let a = shifted[pair.first], b = shifted[pair.second]
      guard let products = row[column].number else { throw fail(column, "which is not a finite number") }
      if let units = pairUnits[index] {
        // The pair's own units: where a unit has one value but not the other, the cell keeps what the unit-level
        // CSV reader keeps (and the analysis stops on it as it does there).
        guard let both = whole(row[units.count]), Double(both) <= min(a.count, b.count) else {
          throw fail(units.count, "which must be a whole number between 0 and the units with a value of each column")
        }
        guard let sumA = row[units.sumA].number else { throw fail(units.sumA, "which is not a finite number") }
        guard let sumB = row[units.sumB].number else { throw fail(units.sumB, "which is not a finite number") }
        cell.pairs.append(
          CrossMoments(
            count: Double(both), shiftA: a.shift, shiftB: b.shift, sumA: sumA, sumB: sumB, sumOfProducts: products))
        continue
      }
      guard a.count == b.count else {
        throw fail(
          column,
          "but \(Int(a.count)) units have \(plan.columns[pair.first].column) and \(Int(b.count)) have \(plan.columns[pair.second].column); a cross-product needs both on the same units (missing: zero)"
        )
      }
      cell.pairs.append(
        CrossMoments(
          count: a.count, shiftA: a.shift, shiftB: b.shift, sumA: a.sum, sumB: b.sum, sumOfProducts: products))
    }
    if !regressionCells.isEmpty {
      do throws(RegressionCells.ColumnProblem) {
        try regressionCells.read(
          plan: plan, variant: variantIndex, segment: segmentIndex, shifts: shifted.map(\.shift), units: n
        ) { name in regressionFields[name].flatMap { row[$0].number } }
      } catch {
        throw fail(regressionFields[error.column] ?? units, "which \(error.problem)")
      }
    }
    for column in ShiftedSums.doubtfulColumns(of: cell, plan: plan) {
      doubtfulCells.append(
        DoubtfulCell(
          variant: variantIndex, segment: segmentIndex, column: column, file: source, line: number,
          shift: cell.columns[column].shift, count: cell.columns[column].count))
    }
    statistics.merge(cell, variant: variantIndex, segment: segmentIndex)
    rowsUsed += n
  }

  /// The cells and their account: unit rows read (kept, and dropped by reason), as the CSV reader counts them.
  func summary() -> DataSummary {
    var file = source
    if excluded > 0 {
      file += ", \(excluded) \(excluded == 1 ? "unit" : "units") exposed to more than one variant left out"
    }
    var summary = DataSummary(
      file: file, format: .query, bytes: 0, rowsRead: rowsRead, rowsUsed: rowsUsed, issues: issues,
      statistics: statistics, duplicatesChecked: checksDuplicates || excludedUnits != nil, duplicateDetectorBytes: 0)
    summary.header = columns
    summary.zeroFillsCounted = zeroFillsCounted
    if !regressionCells.isEmpty { summary.regressionCells = regressionCells }
    summary.doubtfulCells = doubtfulCells
    return summary
  }

  private func describe(_ row: [QueryResult.Value], _ column: Int) -> String {
    // NaN whatever its sign bit (Swift prints one with the bit set as "-nan").
    if case .double(let value) = row[column], value.isNaN { return "\(columns[column]) = NaN" }
    return "\(columns[column]) = \(DisplayText.echo(row[column].description))"
  }

  private func whole(_ value: QueryResult.Value?) -> Int? {
    guard let number = value?.number, number >= 0, number == number.rounded(), number < 9e15 else { return nil }
    return Int(number)
  }

}
