import StrataAnalysis

extension CellQuery {
  /// This query again with a K of their own for the cells whose sums lost their variance's digits in `summary` (its
  /// result: `summary.doubtfulCells`, `ShiftedSums.lostDigits`); nil when there are none, or when this query is
  /// already a refinement (one refinement is enough: see below).
  ///
  /// Each doubtful cell and column gets K = its mean from the first result, K₀ + Σ(x − K₀)/n. That mean is off by about
  /// ε·|K₀ − x̄| plus the sum's rounding, far within the thousand standard deviations a K may lie from the mean; a cell
  /// whose values are all equal comes out exact through its MIN = MAX (`CellQuery.init`'s `cellShifts`). So after the
  /// refinement a cell is doubtful only when its standard deviation is below about 2¹⁰·ε·|K₀ − x̄| (a spread the first
  /// query's K blurred anyway). The refinement's result replaces the first's whole: every cell, the others summed as
  /// before, in one result that `summary(of:source:)` reads and `strata analyze --data` reads saved.
  public func refinement(of summary: DataSummary) throws(WarehouseError) -> CellQuery? {
    guard cellShifts.isEmpty else { return nil }
    var cells: [Int: [Int: Double]] = [:]
    for doubt in summary.doubtfulCells {
      guard plan.variants.indices.contains(doubt.variant), plan.segments.indices.contains(doubt.segment),
        plan.columns.indices.contains(doubt.column), plan.columns[doubt.column].kind == .continuous
      else { continue }
      let mean = summary.statistics.metric(doubt.column, variant: doubt.variant, segment: doubt.segment).mean
      guard mean.isFinite else { continue }
      cells[doubt.variant * plan.segments.count + doubt.segment, default: [:]][doubt.column] = mean
    }
    guard !cells.isEmpty else { return nil }
    let shifts = cells.keys.sorted().map { key in
      CellShift(
        variant: key / plan.segments.count, segment: key % plan.segments.count, shifts: cells[key] ?? [:])
    }
    return try CellQuery(
      plan: plan, dialect: dialect, source: source, shifts: self.shifts, checkDuplicates: checkDuplicates,
      countsZeroFills: countsZeroFills, cellShifts: shifts)
  }
}

extension CellQueryBuilder {
  /// The value columns with a K per cell in some cell.
  var refinedColumns: Set<Int> { Set(cellShifts.flatMap(\.shifts.keys)) }

  /// Column `index`'s K for the unit in `u`: the cell's own when it has one (`s`, `cell_constants`), else the
  /// query's (`c`, `query_constants`).
  func shiftConstant(_ index: Int) -> String {
    refinedColumns.contains(index) ? "COALESCE(s.k\(index), c.k\(index))" : "c.k\(index)"
  }

  /// A cell's values of column `index` are all equal (MIN = MAX over its non-missing values).
  private func constantCell(_ index: Int) -> String { "MIN(u.m\(index)) = MAX(u.m\(index))" }

  /// `<col>_shift`: the K the cell's sums are about; for a column with a K per cell, the value of a cell whose values
  /// are all equal.
  func shiftColumn(_ index: Int) -> String {
    guard refinedColumns.contains(index) else { return "MIN(c.k\(index))" }
    return "CASE WHEN \(constantCell(index)) THEN MIN(u.m\(index)) ELSE MIN(\(shiftConstant(index))) END"
  }

  /// A per-cell sum of products of the shifted values of `columns`: 0 in a cell where one of them with a K per cell has
  /// all its values equal (each term has the factor x − x = 0 about the K `shiftColumn` gives), else `sum`.
  func shiftedSum(_ sum: String, of columns: [Int]) -> String {
    let constant = columns.filter(refinedColumns.contains).sorted().map(constantCell)
    guard !constant.isEmpty else { return sum }
    return "CASE WHEN \(constant.joined(separator: " OR ")) THEN \(dialect.literal(0)) ELSE \(sum) END"
  }

  /// At most this many literal rows in one `UNION ALL`: SQLite refuses a compound SELECT of more than 500 terms
  /// (SQLITE_MAX_COMPOUND_SELECT, fixed when it is compiled), so longer lists are nested in groups of this size.
  static let rowsPerUnion = 500

  /// The `cell_constants` table: one literal row per cell with a K of its own (`shift_variant`, `shift_segment`, then
  /// `k<i>` per column in `refinedColumns`, NULL where that cell keeps the query's K); nil without such cells.
  ///
  /// Up to `rowsPerUnion` rows are one `SELECT ... UNION ALL SELECT ...`; more are groups of that many, each
  /// `SELECT * FROM (...) AS cell_group<g>`, joined by `UNION ALL` (at most `rowsPerUnion` groups: 250,000 cells).
  func cellConstants() -> String? {
    guard !cellShifts.isEmpty else { return nil }
    let columns = refinedColumns.sorted()
    let rows = cellShifts.map { cell in
      var values = [
        "\(text(SQLName.literal(plan.variants[cell.variant]))) AS shift_variant",
        "\(text(SQLName.literal(plan.segments[cell.segment]))) AS shift_segment",
      ]
      for column in columns {
        let value = cell.shifts[column].map { dialect.literal($0) } ?? "CAST(NULL AS \(dialect.doubleType))"
        values.append("\(value) AS k\(column)")
      }
      return "SELECT " + values.joined(separator: ", ")
    }
    let limit = Self.rowsPerUnion
    guard rows.count > limit else { return cte("cell_constants", rows.joined(separator: "\n  UNION ALL ")) }
    let groups = stride(from: 0, to: rows.count, by: limit).enumerated().map { group, start in
      "SELECT * FROM (\n    " + rows[start..<min(start + limit, rows.count)].joined(separator: "\n    UNION ALL ")
        + "\n  ) AS cell_group\(group)"
    }
    return cte("cell_constants", groups.joined(separator: "\n  UNION ALL "))
  }
}
