extension CellQueryBuilder {
  /// The query over a table with one row per unit.
  ///
  /// Each row gets a status, in the CSV reader's order of checks: 0 when its variant or segment is not
  /// the plan's (kept under that name, so the result reports it with its `n`), 2 when a 0/1 metric holds
  /// another value, 3 when the unit id is NULL or blank, else 1. With `checkDuplicates`, rows of status 1
  /// are numbered per unit id and only the first counts (a table has no row order: the first by variant,
  /// segment and values, where the CSV reader keeps the first in file order; identical when the repeated
  /// rows are identical, as after a double load). Dropped rows stay in `unit_rows` with `kept = 0` and
  /// NULL values, so every count comes out of the one aggregation, per cell.
  mutating func unitLevel(table: String) throws(WarehouseError) -> String {
    let from = try SQLName.table(table, dialect, role: "--table")
    let unit = name(plan.unitColumn)
    var values = [
      "TRIM(\(text(name(plan.variantColumn)))) AS cell_variant",
      "\(segmentExpression(name(plan.segmentColumn))) AS cell_segment",
      "\(unit) AS unit_key",
    ]
    for (index, metric) in valueColumns.enumerated() {
      values.append("\(double(name(metric.column))) AS v\(index)")
    }
    var known = ["cell_variant IN (\(plan.variants.map(SQLName.literal).joined(separator: ", ")))"]
    if plan.segments.count > 1 {
      known.append("cell_segment IN (\(plan.segments.map(SQLName.literal).joined(separator: ", ")))")
    }
    let badValues = valueColumns.indices.filter { valueColumns[$0].kind == .binomial }.map {
      "(v\($0) IS NOT NULL AND v\($0) NOT IN (0, 1))"
    }
    var status = "CASE WHEN \(known.joined(separator: " AND ")) THEN CASE"
    if !badValues.isEmpty { status += " WHEN \(badValues.joined(separator: " OR ")) THEN 2" }
    status += " WHEN unit_key IS NULL OR TRIM(\(text("unit_key"))) = '' THEN 3 ELSE 1 END ELSE 0 END"
    var checked = ["r.*", "\(status) AS row_status"]
    var keptCondition = "row_status IN (0, 1)"
    if checkDuplicates {
      let order = (["cell_variant", "cell_segment"] + valueColumns.indices.map { "v\($0)" }).joined(separator: ", ")
      checked = [
        "s.*", "ROW_NUMBER() OVER (PARTITION BY s.row_status, s.unit_key ORDER BY \(order)) AS unit_rank",
      ]
      keptCondition = "row_status = 0 OR (row_status = 1 AND unit_rank = 1)"
    }
    var rows = [
      "cell_variant", "cell_segment", "row_status",
      "CASE WHEN \(keptCondition) THEN 1 ELSE 0 END AS kept",
    ]
    if checkDuplicates { rows.append("unit_rank") }
    for (index, metric) in valueColumns.enumerated() {
      rows.append("CASE WHEN \(keptCondition) THEN \(missingPolicy("v\(index)", metric)) END AS m\(index)")
      if zeroFilled(index) {
        rows.append("CASE WHEN (\(keptCondition)) AND v\(index) IS NULL THEN 1 END AS z\(index)")
      }
    }
    var constants: [String] = []
    for (index, metric) in valueColumns.enumerated() where metric.kind == .continuous {
      let column = name(metric.column)
      let first = "SELECT \(double(column)) FROM \(from) WHERE \(column) IS NOT NULL LIMIT 1"
      constants.append("\(shiftExpression(index, firstValue: first)) AS k\(index)")
    }
    var ctes: [String] = []
    if !constants.isEmpty { ctes.append(cte("query_constants", "SELECT\n" + list(constants, indent: 4))) }
    ctes.append(cte("row_values", "SELECT\n" + list(values, indent: 4) + "\n  FROM \(from)"))
    if checkDuplicates {
      ctes.append(cte("status_rows", "SELECT\n    r.*,\n    \(status) AS row_status\n  FROM row_values AS r"))
      ctes.append(cte("ranked_rows", "SELECT\n" + list(checked, indent: 4) + "\n  FROM status_rows AS s"))
    } else {
      ctes.append(cte("ranked_rows", "SELECT\n" + list(checked, indent: 4) + "\n  FROM row_values AS r"))
    }
    let fence = dialect.subqueryFence.map { "\n  " + $0 } ?? ""
    ctes.append(cte("unit_rows", "SELECT\n" + list(rows, indent: 4) + "\n  FROM ranked_rows" + fence))
    if let cellConstants = cellConstants() { ctes.append(cellConstants) }
    return "WITH " + ctes.joined(separator: ",\n") + "\n"
      + cells(excludedCount: false, constants: !constants.isEmpty, accounted: true)
  }
}
