import StrataAnalysis

/// Writes the text of a `CellQuery`: validated, quoted names and the per-dialect spellings.
///
/// Internal names (`unit_rows`, `cell_variant`, `m0`, `k0`, ...) are fixed plain words that no dialect
/// reserves; every name from the definition or the command line goes through `SQLName`.
struct CellQueryBuilder {
  let plan: AnalysisPlan
  let dialect: SQLDialect
  /// The plan's value columns (`AnalysisPlan.columns`): `m<i>`, `v<i>` and `k<i>` are column i's.
  let valueColumns: [AnalysisPlan.Metric]
  /// Per value column: a fixed shift constant, nil for the first value found, and unused for 0/1 metrics.
  let fixedShifts: [Double?]
  /// Whether the unit-level shape keeps one row per unit id and counts the others.
  let checkDuplicates: Bool
  /// Whether the cells count the values `missing: zero` filled (`z<i>` in `unit_rows`, `<col>_zero_filled`).
  let countsZeroFills: Bool
  var notes: [String] = []
  /// Set for the second query of Lin's regression (`RegressionQuery`): the final aggregation sums each unit's
  /// HC2/HC3 term given these fits instead of the cells.
  var regressionFits: RegressionFits? = nil
  /// Columns summed about each cell's own mean (`CellQuery.ownMeans`): the `cell_constants` table, joined as `s`.
  var ownMeans: [Int] = []

  init(
    plan: AnalysisPlan, dialect: SQLDialect, shifts: [String: Double], checkDuplicates: Bool, countsZeroFills: Bool
  ) throws(WarehouseError) {
    self.plan = plan
    self.dialect = dialect
    self.checkDuplicates = checkDuplicates
    self.countsZeroFills = countsZeroFills
    valueColumns = plan.columns
    try SQLName.check(plan.variantColumn, "the variant column")
    try SQLName.check(plan.segmentColumn, "the segment column")
    try SQLName.check(plan.unitColumn, "the unit column")
    for variant in plan.variants { try SQLName.check(variant, "variant") }
    for segment in plan.segments { try SQLName.check(segment, "segment") }
    var columns: Set<String> = []
    for (index, metric) in plan.metrics.enumerated() {
      try SQLName.check(metric.name, "metrics[\(index)].name")
    }
    // Every result column is checked within the dialect's length (`SQLName.checkAlias`: PostgreSQL keeps 63 bytes of
    // a name), the sentence naming the metric whose column gives it.
    for metric in valueColumns {
      let field = Self.field(of: metric, plan: plan)
      try SQLName.check(metric.name, field)
      try SQLName.check(metric.column, field)
      let role = Self.owner(of: [metric.column], plan: plan) + " gives the result column"
      var suffixes = ["_n", "_sum"]
      if metric.kind == .continuous { suffixes += ["_shift", "_sum_sq"] }
      if countsZeroFills && metric.missing == .zero { suffixes.append(CellQuery.zeroFilledSuffix) }
      for suffix in suffixes { try SQLName.checkAlias(metric.column + suffix, role, dialect) }
      guard columns.insert(metric.column).inserted else {
        throw WarehouseError(
          "\(field) \(SQLName.display(metric.column)) is read by two metrics with different missing: policies or windows; each needs its own column"
        )
      }
    }
    for (index, pair) in plan.crossProducts.enumerated() {
      guard valueColumns.indices.contains(pair.first), valueColumns.indices.contains(pair.second),
        pair.first != pair.second
      else {
        throw WarehouseError(
          "cross-product \(index + 1) names columns \(pair.first) and \(pair.second), not two of the plan's")
      }
      let role =
        Self.owner(of: [valueColumns[pair.first].column, valueColumns[pair.second].column], plan: plan)
        + " gives the cross-product result column"
      try SQLName.checkAlias(CellQuery.crossProductColumn(pair, plan: plan), role, dialect)
      if let units = CellQuery.pairUnitsColumns(pair, plan: plan) {
        for name in [units.count, units.sumA, units.sumB] { try SQLName.checkAlias(name, role, dialect) }
      }
    }
    // Lin's regression (`covariates:`): the first query's `<metric>_lin_...` columns and the second's `<metric>_hc_...`.
    for (index, metric) in plan.metrics.enumerated() where metric.regression != nil {
      let cells = RegressionCells.names(plan: plan, metric: index)
      let names =
        [cells.count, cells.incomplete] + cells.sums + cells.products.joined()
        + RegressionQuery.names(plan: plan, metric: index).all
      let field = "metrics[\(index)] (\(SQLName.display(metric.name))) covariates: gives the result column"
      for name in names { try SQLName.checkAlias(name, field, dialect) }
    }
    let known = Set(valueColumns.map(\.name)).union(valueColumns.map(\.column))
    for (key, value) in shifts.sorted(by: { $0.key < $1.key }) {
      guard known.contains(key) else {
        throw WarehouseError(
          "--shift names \"\(key)\", which is not a metric or column (\(valueColumns.map(\.name).joined(separator: ", ")))"
        )
      }
      guard value.isFinite else { throw WarehouseError("--shift \(key)=\(value) must be a finite number") }
    }
    let primary = plan.primaryMetricIndex.flatMap { plan.metrics[$0].kind.isRatio ? nil : plan.valueColumn(metric: $0) }
    fixedShifts = valueColumns.enumerated().map { index, metric in
      if let value = shifts[metric.name] ?? shifts[metric.column] { return value }
      if index == primary, metric.kind == .continuous, let baseline = plan.baseline, baseline.isFinite {
        return baseline
      }
      return nil
    }
  }

  /// How errors name a value column: `metrics[2].column`, or `metrics[3].covariate` for a column a ratio or a
  /// covariate reads.
  static func field(of column: AnalysisPlan.Metric, plan: AnalysisPlan) -> String {
    for (index, metric) in plan.metrics.enumerated() {
      for use in metric.columnUses where use.column == column.column {
        return "metrics[\(index)].\(use.part.field)"
      }
    }
    return "column"
  }

  /// The metric that reads `columns` as it names itself in an error: `metrics[1] ("revenue") covariate:` (the first
  /// metric reading them all, and the key of the last one's use).
  static func owner(of columns: [String], plan: AnalysisPlan) -> String {
    for (index, metric) in plan.metrics.enumerated() {
      let uses = metric.columnUses
      guard columns.allSatisfy({ column in uses.contains { $0.column == column } }),
        let last = uses.last(where: { $0.column == columns.last })
      else { continue }
      return "metrics[\(index)] (\(SQLName.display(metric.name))) \(last.part.field):"
    }
    return "the columns \(columns.map(SQLName.display).joined(separator: " and "))"
  }

  // MARK: Pieces

  /// The final per-cell aggregation over `unit_rows` (and `query_constants` when there is one).
  ///
  /// `unit_rows` has `cell_variant`, `cell_segment` and per metric `m<i>` (NULL for a missing value, or a
  /// dropped row); with `accounted` also `kept` (1 for a row that counts) and `row_status`/`unit_rank`
  /// for the `dropped_*` counts (see `unitLevel`).
  func cells(excludedCount: Bool, constants: Bool, accounted: Bool = false) -> String {
    if let regressionFits { return regressionSums(regressionFits) }
    var selects = [
      "u.cell_variant AS \(SQLName.alias("variant", dialect))",
      "u.cell_segment AS \(SQLName.alias("segment", dialect))",
      "\(accounted ? "COUNT(CASE WHEN u.kept = 1 THEN 1 END)" : "COUNT(*)") AS \(SQLName.alias("n", dialect))",
    ]
    for (index, metric) in valueColumns.enumerated() {
      let value = "u.m\(index)"
      selects.append("COUNT(\(value)) AS \(SQLName.alias(metric.column + "_n", dialect))")
      if zeroFilled(index) {
        selects.append("COUNT(u.z\(index)) AS \(SQLName.alias(metric.column + CellQuery.zeroFilledSuffix, dialect))")
      }
      if metric.kind == .binomial {
        selects.append("COALESCE(SUM(\(value)), 0) AS \(SQLName.alias(metric.column + "_sum", dialect))")
      } else {
        let shifted = shiftedValue(index)
        selects.append("\(shiftColumn(index)) AS \(SQLName.alias(metric.column + "_shift", dialect))")
        selects.append(
          "\(shiftedSum("COALESCE(SUM(\(shifted)), 0)", of: [index])) AS \(SQLName.alias(metric.column + "_sum", dialect))"
        )
        selects.append(
          "\(shiftedSum("COALESCE(SUM(\(shifted) * \(shifted)), 0)", of: [index])) AS \(SQLName.alias(metric.column + "_sum_sq", dialect))"
        )
      }
    }
    for pair in plan.crossProducts {
      let column = CellQuery.crossProductColumn(pair, plan: plan)
      let product = "COALESCE(SUM(\(shiftedValue(pair.first)) * \(shiftedValue(pair.second))), 0)"
      selects.append("\(shiftedSum(product, of: [pair.first, pair.second])) AS \(SQLName.alias(column, dialect))")
      if let units = CellQuery.pairUnitsColumns(pair, plan: plan) {
        // The pair's own units (both values present), as the CSV reader's co-moment counts them.
        let a = "u.m\(pair.first)", b = "u.m\(pair.second)"
        selects.append(
          "COUNT(CASE WHEN \(a) IS NOT NULL AND \(b) IS NOT NULL THEN 1 END) AS \(SQLName.alias(units.count, dialect))")
        let sumA = "COALESCE(SUM(CASE WHEN \(b) IS NOT NULL THEN \(shiftedValue(pair.first)) END), 0)"
        let sumB = "COALESCE(SUM(CASE WHEN \(a) IS NOT NULL THEN \(shiftedValue(pair.second)) END), 0)"
        selects.append("\(shiftedSum(sumA, of: [pair.first])) AS \(SQLName.alias(units.sumA, dialect))")
        selects.append("\(shiftedSum(sumB, of: [pair.second])) AS \(SQLName.alias(units.sumB, dialect))")
      }
    }
    selects += regressionCells()
    if accounted {
      selects.append("COUNT(CASE WHEN u.row_status = 2 THEN 1 END) AS \(alias(.badValue))")
      selects.append("COUNT(CASE WHEN u.row_status = 3 THEN 1 END) AS \(alias(.missingUnit))")
      if checkDuplicates {
        selects.append("COUNT(CASE WHEN u.row_status = 1 AND u.unit_rank > 1 THEN 1 END) AS \(alias(.duplicateUnit))")
      }
    }
    if excludedCount {
      selects.append("MIN(c.excluded_units) AS \(SQLName.alias(EventSchema.excludedUnitsColumn, dialect))")
    }
    var text = "SELECT\n" + list(selects, indent: 2) + "\nFROM unit_rows AS u\n"
    if constants { text += "CROSS JOIN query_constants AS c\n" }
    if !ownMeans.isEmpty {
      text += "LEFT JOIN cell_constants AS s ON s.shift_variant = u.cell_variant AND s.shift_segment = u.cell_segment\n"
    }
    text += "GROUP BY u.cell_variant, u.cell_segment\nORDER BY u.cell_variant, u.cell_segment\n"
    return text
  }

  /// Lin's pass 1 per metric with `covariates:` (`RegressionCells.names`): over the units with the value and every
  /// covariate (`complete`), their count, each column's shifted sum and each pair's sum of shifted products; and the
  /// units with the value but not every covariate.
  private func regressionCells() -> [String] {
    var selects: [String] = []
    for metric in plan.metrics.indices where plan.metrics[metric].regression != nil {
      let names = RegressionCells.names(plan: plan, metric: metric)
      let columns = plan.columnIndices(metric: metric)
      let complete = regressionComplete(columns)
      selects.append("COUNT(CASE WHEN \(complete) THEN 1 END) AS \(SQLName.alias(names.count, dialect))")
      selects.append(
        "COUNT(CASE WHEN u.m\(columns[0]) IS NOT NULL AND NOT (\(complete)) THEN 1 END) AS \(SQLName.alias(names.incomplete, dialect))"
      )
      for (i, column) in columns.enumerated() {
        let sum = "COALESCE(SUM(CASE WHEN \(complete) THEN \(shiftedValue(column)) END), 0)"
        selects.append("\(shiftedSum(sum, of: [column])) AS \(SQLName.alias(names.sums[i], dialect))")
      }
      for i in columns.indices {
        for j in i..<columns.count {
          let product =
            "COALESCE(SUM(CASE WHEN \(complete) THEN \(shiftedValue(columns[i])) * \(shiftedValue(columns[j])) END), 0)"
          selects.append(
            "\(shiftedSum(product, of: [columns[i], columns[j]])) AS \(SQLName.alias(names.products[i][j], dialect))")
        }
      }
    }
    return selects
  }

  /// A unit has every one of value columns `columns` (in `unit_rows` as `u`).
  func regressionComplete(_ columns: [Int], table: String = "u") -> String {
    columns.map { "\(table).m\($0) IS NOT NULL" }.joined(separator: " AND ")
  }

  /// Whether value column `index` has a count of the values counted as 0 (`z<index>` in `unit_rows`: 1 for such a
  /// unit, else NULL).
  func zeroFilled(_ index: Int) -> Bool { countsZeroFills && valueColumns[index].missing == .zero }

  /// Metric `index`'s value less its shift constant (0/1 metrics have none).
  func shiftedValue(_ index: Int) -> String {
    valueColumns[index].kind == .binomial ? "u.m\(index)" : "(u.m\(index) - \(shiftConstant(index)))"
  }

  private func alias(_ dropped: CellQuery.DroppedRows) -> String { SQLName.alias(dropped.column, dialect) }

  func shiftExpression(_ index: Int, firstValue: String) -> String {
    if let fixed = fixedShifts[index] { return dialect.literal(fixed) }
    return "COALESCE((\(firstValue)), \(dialect.literal(0)))"
  }

  func missingPolicy(_ value: String, _ metric: AnalysisPlan.Metric) -> String {
    metric.missing == .zero ? "COALESCE(\(value), \(dialect.literal(0)))" : value
  }

  /// With one segment every row belongs to it, whatever (or whether) a segment column holds.
  func segmentExpression(_ column: String) -> String {
    plan.segments.count == 1
      ? "CAST(\(SQLName.literal(plan.segments[0])) AS \(dialect.textType))" : "TRIM(\(text(column)))"
  }

  func name(_ identifier: String) -> String { SQLName.quote(identifier, dialect) }
  func text(_ expression: String) -> String { "CAST(\(expression) AS \(dialect.textType))" }
  func double(_ expression: String) -> String { "CAST(\(expression) AS \(dialect.doubleType))" }
  func cte(_ name: String, _ body: String) -> String { "\(name) AS (\n  \(body)\n)" }
  func list(_ items: [String], indent: Int) -> String {
    let pad = String(repeating: " ", count: indent)
    return items.map { pad + $0 }.joined(separator: ",\n")
  }
}
