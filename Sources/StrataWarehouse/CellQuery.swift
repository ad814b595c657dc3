import StrataAnalysis

/// One SQL query that aggregates unit-level or event-level data into the cells `strata analyze` reads.
///
/// The result has one row per variant × segment with the columns of docs/analyze.md's aggregated input:
/// `variant`, `segment`, `n`, and per value column (`AnalysisPlan.columns`) `<col>_n` (units with a value),
/// `<col>_zero_filled` for `missing: zero` (of those, the values counted as 0), `<col>_sum`, and for
/// continuous columns `<col>_shift` (K), `<col>_sum` = Σ(x − K) and `<col>_sum_sq` = Σ(x − K)². Summing
/// values shifted by a K near their mean keeps the digits that Σx² − (Σx)²/n would cancel when the mean
/// is large against the spread. K is, per continuous metric, the `shifts` entry for it, else the plan's
/// baseline for the primary metric, else the first non-missing value the engine finds (a scalar subquery
/// with `LIMIT 1`: it reads one block). The constant is in the result. One K serves every cell, except that a cell
/// whose values of a column are all equal (MAX − MIN = 0) has that value as its `<col>_shift` and sums of exactly 0
/// (an all-zero cell of a sparse metric is exact, whatever K). Another cell keeps its variance's digits while K is
/// within about a thousand of its standard deviations from its mean; an outlier picked as K loses them. Such cells are
/// found from the result (`ShiftedSums.lostDigits`, kept in the summary's
/// `doubtfulCells`), and `refinement(of:)` is this query again with their columns summed about each cell's own mean
/// (`ownMeans`): a second query only for data that needs it, run by `CellQueryRun` in the same snapshot
/// (docs/warehouse.md, "Why the shift").
///
/// Rows are filtered as the CSV reader filters them, and counted per cell in `dropped_bad_value` (a 0/1
/// metric holding anything else), `dropped_missing_unit` (no unit id, NULL or blank) and
/// `dropped_duplicate_unit` (a unit id seen before); rows of unknown variants or segments come back under
/// their own names. NULL is a missing value, handled by the metric's `missing:` policy. Per declared
/// pair of metrics (`AnalysisPlan.crossProducts`) the cross-product `<a>_x_<b>_sum` = Σ(a − Kₐ)(b − K_b) over the
/// units with both values (and, with `missing: exclude` on either, those units' count and sums).
/// `summary(of:source:)` reads a result back into cells with the CSV reader's data account.
public struct CellQuery: Sendable, Hashable {
  /// Where the rows come from.
  public enum Source: Sendable, Hashable {
    /// A table or view with one row per unit and the unit-level CSV's columns.
    case units(table: String)
    /// The service's exposures and events tables (`EventSchema`): metrics from the events after each unit's first
    /// exposure, covariates from those before it (`EventColumn`).
    case events(exposures: String, events: String)
  }

  public let plan: AnalysisPlan
  public let dialect: SQLDialect
  public let source: Source
  /// The `shifts` the query was built with (metric name or column → K).
  public let shifts: [String: Double]
  /// Continuous columns (indices in `AnalysisPlan.columns`) summed about each cell's own mean, which the engine takes
  /// first (a refinement, `refinement(of:)`; empty for the first query).
  public let ownMeans: [Int]
  /// Whether the unit-level shape drops repeated unit ids (see `init`).
  public let checkDuplicates: Bool
  /// Whether the result counts, per column with `missing: zero`, the units whose value was missing and counted as 0
  /// (`<col>_zero_filled`).
  public let countsZeroFills: Bool
  /// The query text (ends with a newline, no semicolon).
  public let sql: String
  /// Sentences about choices a reader should know, such as units without events being missing.
  public let notes: [String]

  /// Builds the query.
  ///
  /// - `shifts` maps a metric's name or column to its shift constant.
  /// - `checkDuplicates` (unit-level shape): keep one row per unit id and count the others in
  ///   `dropped_duplicate_unit`, as the CSV reader does; off, the window over unit ids is skipped.
  /// - Cross-products: one `<a>_x_<b>_sum` column per `plan.crossProducts` pair (by index in `plan.columns`; ratio
  ///   metrics declare numerator × denominator, CUPED value × covariate). When a column of the pair has
  ///   `missing: exclude`, also `<a>_x_<b>_n`, `_sum_a` and `_sum_b` (`pairUnitsColumns`): the pair's own units and
  ///   sums, so the cells equal the unit-level CSV's where a unit has one value but not the other (the analysis
  ///   then stops on that cell, as it does for the CSV).
  /// - `countsZeroFills`: per value column with `missing: zero`, `<col>_zero_filled` counts the units whose value was
  ///   missing (NULL, or no counted event) and counted as 0, as the CSV reader counts empty cells.
  /// - A metric with `covariates:` (Lin's regression) adds its pass-1 columns (`RegressionCells.columnNames`): over the
  ///   units with a value and every covariate, their count, shifted sums and sums of products, and the count of units
  ///   with a value but not every covariate. Its HC2/HC3 errors need a second query (`RegressionQuery`).
  /// - Every continuous column: in a cell whose values of it are all equal and finite (MAX − MIN = 0), that value is
  ///   its `<col>_shift` and every sum of its shifted values (its own, cross-products, Lin's pass-1 sums) is 0, so the
  ///   cell is exact whatever K (`CellQueryBuilder.shiftColumn`).
  /// - `ownMeans`: these continuous columns are summed, in every cell, about the cell's own mean: a `cell_constants`
  ///   table (`AVG` per column over `unit_rows`, grouped by cell) is joined on the cell, with the query's K where a
  ///   cell has no value.
  public init(
    plan: AnalysisPlan, dialect: SQLDialect, source: Source, shifts: [String: Double] = [:],
    checkDuplicates: Bool = true, countsZeroFills: Bool = true, ownMeans: [Int] = []
  ) throws(WarehouseError) {
    self.plan = plan
    self.dialect = dialect
    self.source = source
    self.shifts = shifts
    self.checkDuplicates = checkDuplicates
    self.countsZeroFills = countsZeroFills
    for column in ownMeans where !plan.columns.indices.contains(column) || plan.columns[column].kind != .continuous {
      throw WarehouseError("column \(column) cannot be summed about each cell's mean: it is not a continuous column")
    }
    self.ownMeans = Array(Set(ownMeans)).sorted()
    var builder = try CellQueryBuilder(
      plan: plan, dialect: dialect, shifts: shifts, checkDuplicates: checkDuplicates,
      countsZeroFills: countsZeroFills)
    builder.ownMeans = self.ownMeans
    switch source {
    case .units(let table):
      sql = try builder.unitLevel(table: table)
    case .events(let exposures, let events):
      sql = try builder.eventLevel(exposures: exposures, events: events)
    }
    notes = builder.notes
    // A metric's column named like a pair's (`a_x_b` has `a_x_b_sum`, as the pair of a and b does) would give the
    // result two columns of one name, and its reader the first of them.
    var names: Set<String> = []
    for name in columns where !names.insert(name).inserted {
      throw WarehouseError(
        "the result would have two columns named \(SQLName.display(name)) with different meanings: rename a column of the definition (column:, or the covariate's) so that every result column has one name"
      )
    }
  }

  /// The result's column names, in order.
  public var columns: [String] {
    var names = ["variant", "segment", "n"]
    for metric in plan.columns {
      names.append(metric.column + "_n")
      if countsZeroFills && metric.missing == .zero { names.append(metric.column + Self.zeroFilledSuffix) }
      if metric.kind == .continuous { names.append(metric.column + "_shift") }
      names.append(metric.column + "_sum")
      if metric.kind == .continuous { names.append(metric.column + "_sum_sq") }
    }
    for pair in plan.crossProducts {
      names.append(Self.crossProductColumn(pair, plan: plan))
      if let units = Self.pairUnitsColumns(pair, plan: plan) { names += [units.count, units.sumA, units.sumB] }
    }
    names += RegressionCells.columnNames(plan: plan)
    switch source {
    case .units:
      names += [DroppedRows.badValue.column, DroppedRows.missingUnit.column]
      if checkDuplicates { names.append(DroppedRows.duplicateUnit.column) }
    case .events:
      names.append(EventSchema.excludedUnitsColumn)
    }
    return names
  }

  /// The suffix of a column's count of values counted as 0 (`<col>_zero_filled`).
  public static let zeroFilledSuffix = "_zero_filled"

  /// A short fingerprint of the query text (FNV-1a, 64 bits, hex), for the report's data account.
  public var fingerprint: String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in sql.utf8 {
      hash ^= UInt64(byte)
      hash &*= 0x0000_0100_0000_01B3
    }
    let text = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - text.count) + text
  }

  /// The engine's name as a person writes it.
  public var engineName: String {
    switch dialect {
    case .postgres: "PostgreSQL"
    case .duckdb: "DuckDB"
    case .spark: "Spark SQL"
    case .trino: "Trino"
    case .bigquery: "BigQuery"
    case .snowflake: "Snowflake"
    case .clickhouse: "ClickHouse"
    case .sqlite: "SQLite"
    }
  }
}
