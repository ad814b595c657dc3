import StrataAssignment
import StrataStats

/// Reads pre-aggregated cell statistics: one row per variant × segment; rows for the same cell merge exactly.
///
/// The format is specified in docs/analyze.md ("Aggregated input"): `variant`, `segment` (optional with one
/// segment), `n` (units), and per value column `c` `c_sum` = Σ(x − K), `c_sum_sq` = Σ(x − K)² (required for
/// continuous metrics), optional `c_n` (units with a value), optional `c_zero_filled` (of those, the values
/// `missing: zero` filled) and optional `c_shift` (K, 0 when absent; rows may use different shifts); per declared pair `a_x_b_sum` = Σ(a − Kₐ)(b − K_b) over the same units (and optional
/// `a_x_b_n`, the units with both values, which must be all of them: a row whose pair counts different units stops
/// the read with a `DataError` naming file, line and field, since no cell sums give its co-moment). Each
/// row becomes a `SufficientStatistics.Cell` (`ColumnMoments(count:shift:sum:sumOfSquares:missing:)`) and is
/// merged into its cell with Chan et al.'s update, so files with different shifts combine exactly.
struct AggregatedRows {
  /// Where one value column's numbers are in the header.
  struct ColumnFields {
    var sum: Int
    var sumOfSquares: Int?
    var count: Int?
    var shift: Int?
    /// `c_zero_filled`: of the `c_n` values, how many were missing and counted as 0 (`missing: zero`).
    var zeroFilled: Int?
  }

  let plan: AnalysisPlan
  let path: String
  let strict: Bool
  let fieldCount: Int
  let variantColumn: Int
  let segmentColumn: Int?
  let unitsColumn: Int
  /// The plan's value columns (`AnalysisPlan.columns`) and where each one's numbers are.
  let valueColumns: [AnalysisPlan.Metric]
  let valueFields: [ColumnFields]
  let pairFields: [Int]
  /// Per declared pair: its optional `<a>_x_<b>_n`, the units with both values (`strata sql` writes it when a column
  /// of the pair has `missing: exclude`).
  let pairUnitFields: [Int?]
  /// Whether every column with `missing: zero` has its `c_zero_filled` count (else the counts are unknown).
  let zeroFillsCounted: Bool
  /// The columns every row is checked on (quoting, field count, variant, segment).
  let columns: CellColumns
  var statistics: SufficientStatistics
  /// Header positions of the regression columns (`RegressionCells.columnNames`), when the file has them.
  let regressionFields: [String: Int]?
  /// Lin's pass 1 from those columns (nil without them).
  var regressionCells: RegressionCells?
  var issues = DataIssues()
  /// Rows whose shifted sums lost their variance's digits (`ShiftedSums`).
  var doubtfulCells: [DoubtfulCell] = []
  var rowsRead = 0
  var rowsUsed = 0

  /// Aggregated data has an `n` column and a `<column>_sum` column for the first value column.
  static func recognizes(header: [String], plan: AnalysisPlan) -> Bool {
    guard let first = plan.columns.first else { return false }
    return header.contains("n") && header.contains(first.column + "_sum") && !header.contains(plan.unitColumn)
  }

  /// The suffix of a column's count of values counted as 0 (`c_zero_filled`).
  static let zeroFilledSuffix = "_zero_filled"

  /// The cross-product column of a pair: `<first column>_x_<second column>_sum`.
  static func crossProductColumn(_ pair: AnalysisPlan.CrossProduct, plan: AnalysisPlan) -> String {
    let columns = plan.columns
    return columns[pair.first].column + "_x_" + columns[pair.second].column + "_sum"
  }

  /// The optional count of a pair's units with both values: `<first column>_x_<second column>_n`.
  static func pairUnitsColumn(_ pair: AnalysisPlan.CrossProduct, plan: AnalysisPlan) -> String {
    let columns = plan.columns
    return columns[pair.first].column + "_x_" + columns[pair.second].column + "_n"
  }

  init(header: [String], plan: AnalysisPlan, path: String, strict: Bool) throws {
    try Self.checkColumnMeanings(plan: plan, path: path)
    self.plan = plan
    self.path = path
    self.strict = strict
    fieldCount = header.count
    let read =
      [plan.variantColumn, plan.segmentColumn, "n"]
      + plan.columns.flatMap { metric in
        ["_sum", "_sum_sq", "_n", "_shift", Self.zeroFilledSuffix].map { metric.column + $0 }
      }
      + plan.crossProducts.flatMap { [Self.crossProductColumn($0, plan: plan), Self.pairUnitsColumn($0, plan: plan)] }
      + RegressionCells.columnNames(plan: plan)
    if let problem = RepeatedColumns.problem(reading: read, in: header) {
      throw DataError(file: path, line: 1, message: problem)
    }
    variantColumn = try DataReader.column(plan.variantColumn, in: header, path: path, purpose: "variant")
    segmentColumn =
      plan.segments.count > 1
      ? try DataReader.column(plan.segmentColumn, in: header, path: path, purpose: "segment")
      : nil  // one segment: rows add up whatever a segment column holds
    unitsColumn = try DataReader.column("n", in: header, path: path, purpose: "unit count")
    let valueColumns = plan.columns
    self.valueColumns = valueColumns
    valueFields = try valueColumns.map { metric in
      let squares = metric.column + "_sum_sq"
      let purpose = DataReader.purpose(of: metric, plan: plan)
      return ColumnFields(
        sum: try DataReader.column(metric.column + "_sum", in: header, path: path, purpose: "sum of \(purpose)"),
        sumOfSquares: metric.kind == .continuous
          ? try DataReader.column(squares, in: header, path: path, purpose: "sum of squares of \(purpose)")
          : header.firstIndex(of: squares),
        count: header.firstIndex(of: metric.column + "_n"), shift: header.firstIndex(of: metric.column + "_shift"),
        zeroFilled: metric.missing == .zero ? header.firstIndex(of: metric.column + Self.zeroFilledSuffix) : nil)
    }
    zeroFillsCounted = zip(valueColumns, valueFields).allSatisfy { $0.missing == .exclude || $1.zeroFilled != nil }
    pairFields = try plan.crossProducts.map { pair in
      try DataReader.column(
        Self.crossProductColumn(pair, plan: plan), in: header, path: path,
        purpose:
          "cross-product of \"\(valueColumns[pair.first].column)\" and \"\(valueColumns[pair.second].column)\"")
    }
    pairUnitFields = plan.crossProducts.map { header.firstIndex(of: Self.pairUnitsColumn($0, plan: plan)) }
    columns = CellColumns(
      fieldCount: fieldCount, variantColumn: variantColumn, segmentColumn: segmentColumn,
      variantNames: ByteNameTable(plan.variants), segmentNames: ByteNameTable(plan.segments))
    statistics = SufficientStatistics(plan: plan)
    let regressionNames = RegressionCells.columnNames(plan: plan)
    if let first = regressionNames.first, header.contains(first) {
      var fields: [String: Int] = [:]
      for name in regressionNames {
        fields[name] = try DataReader.column(
          name, in: header, path: path, purpose: "regression column (strata sql's first query writes it)")
      }
      regressionFields = fields
      regressionCells = RegressionCells(plan: plan)
    } else {
      regressionFields = nil
      regressionCells = nil
    }
  }

  mutating func consume(_ record: CSVScanner.Record) throws {
    rowsRead += 1
    guard let (variant, segment) = columns.cell(of: record) else {
      let problem = columns.problem(with: record, plan: plan)
      return try reject(problem.kind, record, problem.message)
    }
    do {
      let cell = try cell(record)
      if var regression = regressionCells, let fields = regressionFields {
        try read(record, into: &regression, fields: fields, variant: variant, segment: segment, units: cell.units)
        regressionCells = regression
      }
      for column in ShiftedSums.doubtfulColumns(of: cell, plan: plan) {
        doubtfulCells.append(
          DoubtfulCell(
            variant: variant, segment: segment, column: column, file: path, line: record.line,
            shift: cell.columns[column].shift, count: cell.columns[column].count))
      }
      statistics.merge(cell, variant: variant, segment: segment)
      rowsUsed += 1
    } catch let problem as RowProblem {
      try reject(problem.kind, record, problem.message)
    }
  }

  /// The row's cell, or a `RowProblem` naming the first bad field.
  private func cell(_ record: CSVScanner.Record) throws -> SufficientStatistics.Cell {
    guard let units = wholeNumber(record, unitsColumn) else {
      throw RowProblem(
        kind: .badNumber, message: "has n = \"\(record.echo(unitsColumn))\", which must be a whole number ≥ 0")
    }
    var cell = SufficientStatistics.Cell(units: units, columns: [], pairs: [])
    var shifted: [(count: Double, shift: Double, sum: Double)] = []
    for (metric, definition) in valueColumns.enumerated() {
      let fields = valueFields[metric]
      let name = definition.column
      var count = Double(units)
      if let column = fields.count {
        guard let value = wholeNumber(record, column), value <= units else {
          throw RowProblem(
            kind: .badNumber,
            message: "has \(name)_n = \"\(record.echo(column))\", which must be a whole number between 0 and n")
        }
        count = Double(value)
      }
      var shift = 0.0
      if let column = fields.shift {
        guard let value = NumberParser.parse(record.field(column)), value.isFinite else {
          throw RowProblem(
            kind: .badNumber, message: "has \(name)_shift = \"\(record.echo(column))\", which is not a finite number")
        }
        shift = value
      }
      guard let sum = NumberParser.parse(record.field(fields.sum)) else {
        throw RowProblem(
          kind: .badNumber, message: "has \(name)_sum = \"\(record.echo(fields.sum))\", which is not a number")
      }
      var sumOfSquares = sum  // for 0/1 values Σx² = Σx
      if let column = fields.sumOfSquares {
        guard let value = NumberParser.parse(record.field(column)), value >= 0 else {
          throw RowProblem(
            kind: .badNumber,
            message: "has \(name)_sum_sq = \"\(record.echo(column))\", which must be a number ≥ 0")
        }
        sumOfSquares = value
      }
      // Σ(x − K)² ≥ (Σ(x − K))²/n for any real values. Rounding in a warehouse's double sums (naive
      // summation over n rows is off by at most about n·ε relative, 1e-9 at ten million rows) can push an
      // all-equal cell slightly below; anything further below is not an aggregate of real values.
      if count > 0 {
        let floor = sum * (sum / count)
        guard sumOfSquares - floor >= -Self.roundingAllowance * max(sumOfSquares, floor) else {
          throw RowProblem(
            kind: .badNumber,
            message:
              "has \(name)_sum_sq = \(sumOfSquares), below \(name)_sum²/n = \(floor), which no set of values can give")
        }
      }
      var moments: ColumnMoments
      if definition.kind == .binomial {
        // Successes Σx = Σ(x − K) + n·K; with a shift its rounding error is a few ulps of n·K.
        let successes = shift == 0 ? sum : sum + count * shift
        let rounded = successes.rounded()
        let tolerance = shift == 0 ? 0 : 1e-9 * max(1, count * abs(shift))
        guard rounded >= 0, rounded <= count, abs(successes - rounded) <= tolerance else {
          throw RowProblem(
            kind: .badNumber,
            message:
              "has \(name)_sum = \(sum)\(shift == 0 ? "" : " (shift \(shift))") for a 0/1 metric with \(Int(count)) units; the successes must be a whole number between 0 and that"
          )
        }
        moments =
          shift == 0
          ? ColumnMoments(count: count, sum: sum, sumOfSquares: sumOfSquares, missing: units - Int(count))
          : ColumnMoments(count: count, sum: rounded, sumOfSquares: rounded, missing: units - Int(count))
      } else {
        moments = ColumnMoments(
          count: count, shift: shift, sum: sum, sumOfSquares: sumOfSquares, missing: units - Int(count))
      }
      if let column = fields.zeroFilled {
        guard let value = wholeNumber(record, column), Double(value) <= count else {
          throw RowProblem(
            kind: .badNumber,
            message:
              "has \(name)\(Self.zeroFilledSuffix) = \"\(record.echo(column))\", which must be a whole number between 0 and \(name)_n"
          )
        }
        moments.zeroFilled = value
      }
      cell.columns.append(moments)
      shifted.append((count, shift, sum))
    }
    for (index, pair) in plan.crossProducts.enumerated() {
      let column = pairFields[index]
      let a = shifted[pair.first], b = shifted[pair.second]
      guard let products = NumberParser.parse(record.field(column)), products.isFinite else {
        throw RowProblem(
          kind: .badNumber,
          message:
            "has \(Self.crossProductColumn(pair, plan: plan)) = \"\(record.echo(column))\", which is not a number")
      }
      var both = a.count
      if let field = pairUnitFields[index] {
        guard let value = wholeNumber(record, field), Double(value) <= min(a.count, b.count) else {
          throw RowProblem(
            kind: .badNumber,
            message:
              "has \(Self.pairUnitsColumn(pair, plan: plan)) = \"\(record.echo(field))\", which must be a whole number between 0 and the units with a value of each column"
          )
        }
        both = Double(value)
      }
      guard a.count == b.count, both == a.count else {
        // The unit-level rows of such a cell stop the analysis too; cell sums cannot even give its cross-product.
        throw DataError(
          file: path, line: record.line,
          message:
            "\(a.count != b.count ? Self.crossProductColumn(pair, plan: plan) : Self.pairUnitsColumn(pair, plan: plan)): the \(differentUnits(pair, a.count, b.count, both)), and summed cells cannot give a cross-product over different units: declare missing: zero for \(metricNaming(pair)), or drop those units from the data"
        )
      }
      cell.pairs.append(
        CrossMoments(
          count: a.count, shiftA: a.shift, shiftB: b.shift, sumA: a.sum, sumB: b.sum, sumOfProducts: products))
    }
    return cell
  }

  /// Why a row's pair counts different units: `row has 416 values of ordered but 415 of visits_before`, or (same
  /// counts) `416 units with both`.
  private func differentUnits(_ pair: AnalysisPlan.CrossProduct, _ a: Double, _ b: Double, _ both: Double) -> String {
    let first = valueColumns[pair.first].column, second = valueColumns[pair.second].column
    if a != b { return "row has \(Int(a)) values of \(first) but \(Int(b)) of \(second)" }
    return "row has \(Int(a)) values of \(first) and of \(second) but only \(Int(both)) units with both"
  }

  /// The metric whose columns the pair joins (its columns, or its covariate's), for the remedy.
  private func metricNaming(_ pair: AnalysisPlan.CrossProduct) -> String {
    for index in plan.metrics.indices {
      let columns = plan.columnIndices(metric: index)
      if columns.contains(pair.first) && columns.contains(pair.second) {
        let metric = "metrics[\(index)] (\(plan.metrics[index].name))"
        return plan.metrics[index].covariate == nil ? metric : metric + " and its covariate"
      }
    }
    return "\(valueColumns[pair.first].column) and \(valueColumns[pair.second].column)"
  }

  /// Every column name the layout reads gets one meaning, or a `DataError` naming the file, line 1 and the column.
  ///
  /// A metric's column named like a pair's (a column `a_x_b` has `a_x_b_sum` and `a_x_b_n`, and so has the pair of
  /// `a` and `b`) would make one header column stand for two numbers.
  static func checkColumnMeanings(plan: AnalysisPlan, path: String) throws {
    var meanings: [String: String] = [:]
    func claim(_ name: String, _ meaning: String) throws {
      if let other = meanings[name], other != meaning {
        throw DataError(
          file: path, line: 1,
          message:
            "column \"\(DisplayText.echo(name))\" would be both \(other) and \(meaning): rename a column of the definition (column:, or the covariate's) so that every header name has one meaning"
        )
      }
      meanings[name] = meaning
    }
    try claim(plan.variantColumn, "the variant")
    if plan.segments.count > 1 { try claim(plan.segmentColumn, "the segment") }
    try claim("n", "the unit count")
    let columns = plan.columns
    for metric in columns {
      let purpose = DataReader.purpose(of: metric, plan: plan)
      try claim(metric.column + "_sum", "the sum of \(purpose)")
      try claim(metric.column + "_sum_sq", "the sum of squares of \(purpose)")
      try claim(metric.column + "_n", "the count of \(purpose)")
      try claim(metric.column + "_shift", "the shift of \(purpose)")
      try claim(metric.column + Self.zeroFilledSuffix, "the zero-filled count of \(purpose)")
    }
    for pair in plan.crossProducts {
      let names = "\"\(columns[pair.first].column)\" and \"\(columns[pair.second].column)\""
      try claim(Self.crossProductColumn(pair, plan: plan), "the cross-product of \(names)")
      try claim(Self.pairUnitsColumn(pair, plan: plan), "the count of units with both \(names)")
    }
    for name in RegressionCells.columnNames(plan: plan) { try claim(name, "a regression column") }
  }

  /// Reads the row's regression columns (Lin's pass 1) into `cells`, or a `RowProblem` naming the first bad field.
  private func read(
    _ record: CSVScanner.Record, into cells: inout RegressionCells, fields: [String: Int], variant: Int, segment: Int,
    units: Int
  ) throws {
    var shifts: [Double] = []
    for fields in valueFields {
      // Already checked by `cell(_:)`.
      shifts.append(fields.shift.flatMap { NumberParser.parse(record.field($0)) } ?? 0)
    }
    do throws(RegressionCells.ColumnProblem) {
      try cells.read(plan: plan, variant: variant, segment: segment, shifts: shifts, units: units) { name in
        fields[name].flatMap { NumberParser.parse(record.field($0)) }.flatMap { $0.isFinite ? $0 : nil }
      }
    } catch {
      let echo = fields[error.column].map { record.echo($0) } ?? ""
      throw RowProblem(kind: .badNumber, message: "has \(error.column) = \"\(echo)\", which \(error.problem)")
    }
  }

  /// How far below (Σx)²/n, relative to Σx², a sum of squares may fall from rounding alone.
  static let roundingAllowance = 1e-8

  private func wholeNumber(_ record: CSVScanner.Record, _ column: Int) -> Int? {
    guard let value = NumberParser.parse(record.field(column)), value >= 0, value == value.rounded(), value < 9e15
    else { return nil }
    return Int(value)
  }

  private mutating func reject(_ kind: DataIssues.Kind, _ record: CSVScanner.Record, _ message: String) throws {
    if strict { throw DataError(file: path, line: record.line, message: "row " + message, hint: .strict) }
    issues.record(kind, line: record.line, example: message)
  }
}
