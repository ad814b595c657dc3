import StrataStats

/// Reads pre-aggregated sufficient statistics: one row per variant × segment (rows for the same cell add up).
///
/// Columns: `variant`, `segment` (optional with one segment), `n` (units), and per metric `<metric>_sum`,
/// `<metric>_sum_sq` (required for continuous metrics) and optional `<metric>_n` (units with a value).
/// From n, Σx and Σx² the mean is Σx/n and M2 = Σx² − (Σx)²/n; that subtraction loses relative precision
/// of about ε·Σx²/M2, so warehouse queries should aggregate centred values when the mean is huge compared
/// with the spread (the report's variances are then still exact enough for any test).
struct AggregatedRows {
  let plan: AnalysisPlan
  let path: String
  let strict: Bool
  let fieldCount: Int
  let variantColumn: Int
  let segmentColumn: Int?
  let unitsColumn: Int
  let sumColumns: [Int]
  let sumSquaresColumns: [Int?]
  let countColumns: [Int?]
  let variantNames: [[UInt8]]
  let segmentNames: [[UInt8]]
  /// The columns every row is checked on (quoting, field count, variant, segment).
  let columns: CellColumns
  var statistics: SufficientStatistics
  var issues = DataIssues()
  var rowsRead = 0
  var rowsUsed = 0

  /// Aggregated data has an `n` column and a `<metric>_sum` column for the first metric.
  static func recognizes(header: [String], plan: AnalysisPlan) -> Bool {
    guard let first = plan.metrics.first else { return false }
    return header.contains("n") && header.contains(first.column + "_sum") && !header.contains(plan.unitColumn)
  }

  init(header: [String], plan: AnalysisPlan, path: String, strict: Bool) throws {
    self.plan = plan
    self.path = path
    self.strict = strict
    fieldCount = header.count
    variantColumn = try DataReader.column(plan.variantColumn, in: header, path: path, purpose: "variant")
    segmentColumn =
      plan.segments.count > 1
      ? try DataReader.column(plan.segmentColumn, in: header, path: path, purpose: "segment")
      : nil  // one segment: rows add up whatever a segment column holds
    unitsColumn = try DataReader.column("n", in: header, path: path, purpose: "unit count")
    sumColumns = try plan.metrics.map {
      try DataReader.column($0.column + "_sum", in: header, path: path, purpose: "sum of \"\($0.name)\"")
    }
    sumSquaresColumns = try plan.metrics.map { metric in
      let name = metric.column + "_sum_sq"
      if metric.kind == .continuous {
        return try DataReader.column(name, in: header, path: path, purpose: "sum of squares of \"\(metric.name)\"")
      }
      return header.firstIndex(of: name)
    }
    countColumns = plan.metrics.map { header.firstIndex(of: $0.column + "_n") }
    variantNames = DataReader.byteNames(plan.variants)
    segmentNames = DataReader.byteNames(plan.segments)
    columns = CellColumns(
      fieldCount: fieldCount, variantColumn: variantColumn, segmentColumn: segmentColumn,
      variantNames: variantNames, segmentNames: segmentNames)
    statistics = SufficientStatistics(
      variantCount: plan.variants.count, segmentCount: plan.segments.count, metricCount: plan.metrics.count)
  }

  mutating func consume(_ record: CSVScanner.Record) throws {
    rowsRead += 1
    guard let (variant, segment) = columns.cell(of: record) else {
      let problem = columns.problem(with: record, plan: plan)
      return try reject(problem.kind, record, problem.message)
    }
    guard let units = wholeNumber(record, unitsColumn) else {
      return try reject(
        .badNumber, record, "has n = \"\(record.string(unitsColumn))\", which must be a whole number ≥ 0")
    }
    var accumulators: [MetricAccumulator] = []
    for (metric, definition) in plan.metrics.enumerated() {
      var count = Double(units)
      if let column = countColumns[metric] {
        guard let value = wholeNumber(record, column), value <= units else {
          return try reject(
            .badNumber, record,
            "has \(definition.column)_n = \"\(record.string(column))\", which must be a whole number between 0 and n")
        }
        count = Double(value)
      }
      guard let sum = NumberParser.parse(record.field(sumColumns[metric])) else {
        return try reject(
          .badNumber, record,
          "has \(definition.column)_sum = \"\(record.string(sumColumns[metric]))\", which is not a number")
      }
      var sumSquares = sum  // for 0/1 values Σx² = Σx
      if let column = sumSquaresColumns[metric] {
        guard let value = NumberParser.parse(record.field(column)), value >= 0 else {
          return try reject(
            .badNumber, record,
            "has \(definition.column)_sum_sq = \"\(record.string(column))\", which must be a number ≥ 0")
        }
        sumSquares = value
      }
      if definition.kind == .binomial {
        guard sum >= 0, sum <= count, sum == sum.rounded() else {
          return try reject(
            .badNumber, record,
            "has \(definition.column)_sum = \(sum) for a 0/1 metric with \(Int(count)) units; it must be a whole number between 0 and that"
          )
        }
      }
      var accumulator = MetricAccumulator()
      if count > 0 {
        let mean = sum / count
        accumulator.moments = RunningMoments(count: count, mean: mean, m2: max(0, sumSquares - sum * mean))
      }
      accumulator.sum = sum
      accumulator.missing = units - Int(count)
      accumulators.append(accumulator)
    }
    statistics.set(units: units, variant: variant, segment: segment)
    for (metric, accumulator) in accumulators.enumerated() {
      statistics.set(accumulator, metric: metric, variant: variant, segment: segment)
    }
    rowsUsed += 1
  }

  private func wholeNumber(_ record: CSVScanner.Record, _ column: Int) -> Int? {
    guard let value = NumberParser.parse(record.field(column)), value >= 0, value == value.rounded(), value < 9e15
    else { return nil }
    return Int(value)
  }

  private mutating func reject(_ kind: DataIssues.Kind, _ record: CSVScanner.Record, _ message: String) throws {
    if strict { throw DataError(file: path, line: record.line, message: "row " + message + " (--strict)") }
    issues.record(kind, line: record.line, example: message)
  }
}
