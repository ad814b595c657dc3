import StrataAnalysis

/// Writes the text of a `CellQuery`: validated, quoted names and the per-dialect spellings.
///
/// Internal names (`unit_rows`, `cell_variant`, `m0`, `k0`, ...) are fixed plain words that no dialect
/// reserves; every name from the definition or the command line goes through `SQLName`.
struct CellQueryBuilder {
  let plan: AnalysisPlan
  let dialect: SQLDialect
  /// Per metric: a fixed shift constant, nil for the first value found, and unused for 0/1 metrics.
  let fixedShifts: [Double?]
  private(set) var notes: [String] = []

  init(plan: AnalysisPlan, dialect: SQLDialect, shifts: [String: Double]) throws(WarehouseError) {
    self.plan = plan
    self.dialect = dialect
    try SQLName.check(plan.variantColumn, "the variant column")
    try SQLName.check(plan.segmentColumn, "the segment column")
    try SQLName.check(plan.unitColumn, "the unit column")
    for variant in plan.variants { try SQLName.check(variant, "variant") }
    for segment in plan.segments { try SQLName.check(segment, "segment") }
    var columns: Set<String> = []
    for (index, metric) in plan.metrics.enumerated() {
      try SQLName.check(metric.name, "metrics[\(index)].name")
      try SQLName.check(metric.column, "metrics[\(index)].column")
      for suffix in ["_n", "_sum", "_sum_sq", "_shift"] {
        try SQLName.check(metric.column + suffix, "metrics[\(index)].column")
      }
      guard columns.insert(metric.column).inserted else {
        throw WarehouseError(
          "metrics[\(index)].column \(SQLName.display(metric.column)) is used by two metrics; each needs its own column"
        )
      }
    }
    let known = Set(plan.metrics.map(\.name)).union(plan.metrics.map(\.column))
    for (key, value) in shifts.sorted(by: { $0.key < $1.key }) {
      guard known.contains(key) else {
        throw WarehouseError(
          "--shift names \"\(key)\", which is not a metric (\(plan.metrics.map(\.name).joined(separator: ", ")))")
      }
      guard value.isFinite else { throw WarehouseError("--shift \(key)=\(value) must be a finite number") }
    }
    let primary = plan.primaryMetricIndex
    fixedShifts = plan.metrics.enumerated().map { index, metric in
      if let value = shifts[metric.name] ?? shifts[metric.column] { return value }
      if index == primary, metric.kind == .continuous, let baseline = plan.baseline, baseline.isFinite {
        return baseline
      }
      return nil
    }
  }

  // MARK: Shapes

  /// The query over a table with one row per unit.
  mutating func unitLevel(table: String) throws(WarehouseError) -> String {
    let from = try SQLName.table(table, dialect, role: "--table")
    let unit = name(plan.unitColumn)
    var selects = [
      "\(text(name(plan.variantColumn))) AS cell_variant",
      "\(segmentExpression(name(plan.segmentColumn))) AS cell_segment",
    ]
    var conditions = ["\(unit) IS NOT NULL", "TRIM(\(text(unit))) <> ''"]
    for (index, metric) in plan.metrics.enumerated() {
      let value = double(name(metric.column))
      selects.append("\(missingPolicy(value, metric)) AS m\(index)")
      if metric.kind == .binomial { conditions.append("(\(value) IS NULL OR \(value) IN (0, 1))") }
    }
    var constants: [String] = []
    for (index, metric) in plan.metrics.enumerated() where metric.kind == .continuous {
      let column = name(metric.column)
      let first = "SELECT \(double(column)) FROM \(from) WHERE \(column) IS NOT NULL LIMIT 1"
      constants.append("\(shiftExpression(index, firstValue: first)) AS k\(index)")
    }
    var ctes: [String] = []
    if !constants.isEmpty { ctes.append(cte("query_constants", "SELECT\n" + list(constants, indent: 4))) }
    ctes.append(
      cte(
        "unit_rows",
        "SELECT\n" + list(selects, indent: 4) + "\n  FROM \(from)\n  WHERE "
          + conditions.joined(separator: "\n    AND ")))
    return "WITH " + ctes.joined(separator: ",\n") + "\n" + cells(excludedCount: false, constants: !constants.isEmpty)
  }

  /// The query over the service's exposures and events tables.
  mutating func eventLevel(exposures: String, events: String) throws(WarehouseError) -> String {
    let exposureTable = try SQLName.table(exposures, dialect, role: "--exposures")
    let eventTable = try SQLName.table(events, dialect, role: "--events")
    typealias X = EventSchema.Exposures
    typealias E = EventSchema.Events
    let xUnit = "x." + name(X.unit)
    let xVariant = text("x." + name(X.variant))
    let xTime = "x." + name(X.time)
    let segment = segmentExpression("x." + name(X.segment))
    let exposureRows = """
      SELECT
          \(xUnit) AS unit_key,
          \(xVariant) AS cell_variant,
          \(segment) AS cell_segment,
          \(xTime) AS exposed_at,
          ROW_NUMBER() OVER (PARTITION BY \(xUnit) ORDER BY \(xTime), \(segment), \(xVariant)) AS exposure_rank,
          MIN(\(xVariant)) OVER (PARTITION BY \(xUnit)) AS lowest_variant,
          MAX(\(xVariant)) OVER (PARTITION BY \(xUnit)) AS highest_variant
        FROM \(exposureTable) AS x
        WHERE x.\(name(X.experiment)) = \(SQLName.literal(plan.id))
          AND \(xUnit) IS NOT NULL
      """
    let firstExposures = """
      SELECT unit_key, cell_variant, cell_segment, exposed_at
        FROM exposure_rows
        WHERE exposure_rank = 1 AND lowest_variant = highest_variant
      """
    let eMetric = "e." + name(E.metric)
    let eValue = double("e." + name(E.value))
    let eTime = "e." + name(E.time)
    var totals = ["f.cell_variant", "f.cell_segment"]
    for (index, metric) in plan.metrics.enumerated() {
      var condition = "\(eMetric) = \(SQLName.literal(metric.name))"
      if let window = metric.window {
        condition += " AND \(eTime) < \(dialect.adding(seconds: window.seconds, to: "f.exposed_at"))"
      }
      let aggregate = metric.kind == .binomial ? "MAX" : "SUM"
      totals.append("\(aggregate)(CASE WHEN \(condition) THEN \(eValue) END) AS v\(index)")
      if metric.missing == .exclude {
        notes.append(
          "metric \"\(metric.name)\" has missing: exclude, so units without \(metric.window.map { "an event within \($0)" } ?? "an event") after exposure are left out of it; use missing: zero to count them as 0"
        )
      }
    }
    let metricNames = plan.metrics.map { SQLName.literal($0.name) }.joined(separator: ", ")
    let join = """
      FROM first_exposures AS f
        LEFT JOIN \(eventTable) AS e
          ON e.\(name(E.unit)) = f.unit_key
          AND \(eTime) >= f.exposed_at
          AND \(eMetric) IN (\(metricNames))
        GROUP BY f.unit_key, f.cell_variant, f.cell_segment
      """
    let eventTotals = "SELECT\n" + list(totals, indent: 4) + "\n  " + join
    var unitSelects = ["cell_variant", "cell_segment"]
    var conditions: [String] = []
    for (index, metric) in plan.metrics.enumerated() {
      unitSelects.append("\(missingPolicy("v\(index)", metric)) AS m\(index)")
      if metric.kind == .binomial { conditions.append("(v\(index) IS NULL OR v\(index) IN (0, 1))") }
    }
    var constants = [
      "(SELECT COUNT(*) FROM exposure_rows WHERE exposure_rank = 1 AND lowest_variant <> highest_variant) AS excluded_units"
    ]
    for (index, metric) in plan.metrics.enumerated() where metric.kind == .continuous {
      let first =
        "SELECT \(eValue) FROM \(eventTable) AS e WHERE \(eMetric) = \(SQLName.literal(metric.name)) AND e.\(name(E.value)) IS NOT NULL LIMIT 1"
      constants.append("\(shiftExpression(index, firstValue: first)) AS k\(index)")
    }
    var unitRows = "SELECT\n" + list(unitSelects, indent: 4) + "\n  FROM event_totals"
    if !conditions.isEmpty { unitRows += "\n  WHERE " + conditions.joined(separator: "\n    AND ") }
    let ctes = [
      cte("exposure_rows", exposureRows), cte("first_exposures", firstExposures), cte("event_totals", eventTotals),
      cte("query_constants", "SELECT\n" + list(constants, indent: 4)), cte("unit_rows", unitRows),
    ]
    return "WITH " + ctes.joined(separator: ",\n") + "\n" + cells(excludedCount: true, constants: true)
  }

  // MARK: Pieces

  /// The final per-cell aggregation over `unit_rows` (and `query_constants` when there is one).
  private func cells(excludedCount: Bool, constants: Bool) -> String {
    var selects = [
      "u.cell_variant AS \(SQLName.alias("variant", dialect))",
      "u.cell_segment AS \(SQLName.alias("segment", dialect))",
      "COUNT(*) AS \(SQLName.alias("n", dialect))",
    ]
    for (index, metric) in plan.metrics.enumerated() {
      let value = "u.m\(index)"
      selects.append("COUNT(\(value)) AS \(SQLName.alias(metric.column + "_n", dialect))")
      if metric.kind == .binomial {
        selects.append("COALESCE(SUM(\(value)), 0) AS \(SQLName.alias(metric.column + "_sum", dialect))")
      } else {
        let shifted = "(\(value) - c.k\(index))"
        selects.append("MIN(c.k\(index)) AS \(SQLName.alias(metric.column + "_shift", dialect))")
        selects.append("COALESCE(SUM(\(shifted)), 0) AS \(SQLName.alias(metric.column + "_sum", dialect))")
        selects.append(
          "COALESCE(SUM(\(shifted) * \(shifted)), 0) AS \(SQLName.alias(metric.column + "_sum_sq", dialect))")
      }
    }
    if excludedCount {
      selects.append("MIN(c.excluded_units) AS \(SQLName.alias(EventSchema.excludedUnitsColumn, dialect))")
    }
    var text = "SELECT\n" + list(selects, indent: 2) + "\nFROM unit_rows AS u\n"
    if constants { text += "CROSS JOIN query_constants AS c\n" }
    text += "GROUP BY u.cell_variant, u.cell_segment\nORDER BY u.cell_variant, u.cell_segment\n"
    return text
  }

  private func shiftExpression(_ index: Int, firstValue: String) -> String {
    if let fixed = fixedShifts[index] { return dialect.literal(fixed) }
    return "COALESCE((\(firstValue)), \(dialect.literal(0)))"
  }

  private func missingPolicy(_ value: String, _ metric: AnalysisPlan.Metric) -> String {
    metric.missing == .zero ? "COALESCE(\(value), \(dialect.literal(0)))" : value
  }

  /// With one segment every row belongs to it, whatever (or whether) a segment column holds.
  private func segmentExpression(_ column: String) -> String {
    plan.segments.count == 1 ? "CAST(\(SQLName.literal(plan.segments[0])) AS \(dialect.textType))" : text(column)
  }

  private func name(_ identifier: String) -> String { SQLName.quote(identifier, dialect) }
  private func text(_ expression: String) -> String { "CAST(\(expression) AS \(dialect.textType))" }
  private func double(_ expression: String) -> String { "CAST(\(expression) AS \(dialect.doubleType))" }
  private func cte(_ name: String, _ body: String) -> String { "\(name) AS (\n  \(body)\n)" }
  private func list(_ items: [String], indent: Int) -> String {
    let pad = String(repeating: " ", count: indent)
    return items.map { pad + $0 }.joined(separator: ",\n")
  }
}
