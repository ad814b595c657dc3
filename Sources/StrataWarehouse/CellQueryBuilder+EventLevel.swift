extension CellQueryBuilder {
  /// The query over the service's exposures and events tables.
  mutating func eventLevel(exposures: String, events: String) throws(WarehouseError) -> String {
    let eventColumns = try EventColumn.columns(of: plan)
    // Covariates read events before the exposure: the join then takes every time and each column its own period.
    let anyBefore = eventColumns.contains { $0.period == .beforeExposure }
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
    for (index, metric) in valueColumns.enumerated() {
      let column = eventColumns[index]
      var condition = "\(eMetric) = \(SQLName.literal(column.event))"
      switch column.period {
      case .afterExposure:
        if anyBefore { condition += " AND \(eTime) >= f.exposed_at" }
        if let window = column.window {
          condition += " AND \(eTime) < \(dialect.adding(seconds: window.seconds, to: "f.exposed_at"))"
        }
      case .beforeExposure:
        condition += " AND \(eTime) < f.exposed_at"
        if let window = column.window {
          // exposed_at − window ≤ time, written as an addition to the event's time (one spelling per dialect).
          condition += " AND \(dialect.adding(seconds: window.seconds, to: eTime)) >= f.exposed_at"
        }
      }
      let aggregate = metric.kind == .binomial ? "MAX" : "SUM"
      totals.append("\(aggregate)(CASE WHEN \(condition) THEN \(eValue) END) AS v\(index)")
      if metric.missing == .exclude {
        let events =
          column.period == .afterExposure
          ? "\(column.window.map { "an event within \($0)" } ?? "an event") after exposure"
          : "an event \(SQLName.display(column.event))\(column.window.map { " within \($0)" } ?? "") before exposure"
        notes.append(
          "\(column.period == .afterExposure ? "metric" : "covariate") \"\(metric.name)\" has missing: exclude, so units without \(events) are left out of it; use missing: zero to count them as 0"
        )
      }
    }
    var eventNames: [String] = []
    for column in eventColumns where !eventNames.contains(column.event) { eventNames.append(column.event) }
    let metricNames = eventNames.map(SQLName.literal).joined(separator: ", ")
    let join = """
      FROM first_exposures AS f
        LEFT JOIN \(eventTable) AS e
          ON e.\(name(E.unit)) = f.unit_key\(anyBefore ? "" : "\n    AND \(eTime) >= f.exposed_at")
          AND \(eMetric) IN (\(metricNames))
        GROUP BY f.unit_key, f.cell_variant, f.cell_segment
      """
    let eventTotals = "SELECT\n" + list(totals, indent: 4) + "\n  " + join
    var unitSelects = ["cell_variant", "cell_segment"]
    var conditions: [String] = []
    for (index, metric) in valueColumns.enumerated() {
      unitSelects.append("\(missingPolicy("v\(index)", metric)) AS m\(index)")
      if zeroFilled(index) { unitSelects.append("CASE WHEN v\(index) IS NULL THEN 1 END AS z\(index)") }
      if metric.kind == .binomial { conditions.append("(v\(index) IS NULL OR v\(index) IN (0, 1))") }
    }
    var constants = [
      "(SELECT COUNT(*) FROM exposure_rows WHERE exposure_rank = 1 AND lowest_variant <> highest_variant) AS excluded_units"
    ]
    for (index, metric) in valueColumns.enumerated() where metric.kind == .continuous {
      let first =
        "SELECT \(eValue) FROM \(eventTable) AS e WHERE \(eMetric) = \(SQLName.literal(eventColumns[index].event)) AND e.\(name(E.value)) IS NOT NULL LIMIT 1"
      constants.append("\(shiftExpression(index, firstValue: first)) AS k\(index)")
    }
    var unitRows = "SELECT\n" + list(unitSelects, indent: 4) + "\n  FROM event_totals"
    if !conditions.isEmpty { unitRows += "\n  WHERE " + conditions.joined(separator: "\n    AND ") }
    var ctes = [
      cte("exposure_rows", exposureRows), cte("first_exposures", firstExposures), cte("event_totals", eventTotals),
      cte("query_constants", "SELECT\n" + list(constants, indent: 4)),
    ]
    ctes.append(cte("unit_rows", unitRows))
    if let cellConstants = cellConstants() { ctes.append(cellConstants) }
    return "WITH " + ctes.joined(separator: ",\n") + "\n" + cells(excludedCount: true, constants: true)
  }
}
