import StrataAnalysis

extension CellQuery {
  /// Reads a result of this query, run by any engine, into what `Analyzer.analyze` reads.
  ///
  /// This is the one step from a query result to cell statistics, shared by `strata analyze --database`
  /// and the service's live results: build the query, run `sql` with the engine's driver, copy the rows
  /// into a `QueryResult` (columns by name, values as typed) and call this. `source` says where the data
  /// came from in the data account (never put a password in it: `DatabaseURL.description` has none).
  ///
  /// The account matches the unit-level CSV reader's: `rowsRead` counts unit rows (kept ones, `n`, plus
  /// those dropped in the engine, the `dropped_*` columns), unknown variants and segments are counted by
  /// their `n`, and duplicate units were checked when the query dropped them (the unit-level shape) or
  /// the data cannot have any (the event-level shape: one first exposure per unit). Units exposed to more
  /// than one variant are named in `file`. Throws a `WarehouseError` naming the row and column when a value
  /// is not what this query writes.
  ///
  /// A result without rows (an empty table; its columns may be unknown too) gives empty cells with
  /// `rowsRead` 0, which `Analyzer.analyze` refuses as nothing to analyse.
  public func summary(of result: QueryResult, source: String) throws(WarehouseError) -> DataSummary {
    if result.rows.isEmpty {
      var summary = DataSummary(cells: SufficientStatistics(plan: plan), source: source)
      summary.rowsRead = 0
      summary.rowsUsed = 0
      summary.format = .query
      return summary
    }
    var reader = try CellResultReader(query: self, columns: result.columns, source: source)
    for (index, row) in result.rows.enumerated() { try reader.consume(row, number: index + 1) }
    return reader.summary()
  }

  /// The column of a cross-product, `<first column>_x_<second column>_sum`.
  ///
  /// It holds Σ(a − Kₐ)(b − K_b) over the units of the cell, with the shifts of the two metrics' own
  /// columns (0 for a 0/1 metric). The aggregated CSV input uses the same name (docs/analyze.md).
  public static func crossProductColumn(_ pair: AnalysisPlan.CrossProduct, plan: AnalysisPlan) -> String {
    let columns = plan.columns
    return columns[pair.first].column + "_x_" + columns[pair.second].column + "_sum"
  }

  /// The columns of a pair's own units, when a column of it has `missing: exclude` (nil when both have
  /// `missing: zero`: then every unit of the cell has both values): `<a>_x_<b>_n`, the units with both values, and
  /// `<a>_x_<b>_sum_a`, `<a>_x_<b>_sum_b`, Σ(a − Kₐ) and Σ(b − K_b) over those units.
  ///
  /// With them the cross-product is the co-moment of exactly the units that have both values, as the unit-level CSV
  /// reader keeps it (`CrossMoments`), even where the two columns count different units; `Analyzer` then stops such a
  /// cell as it stops the unit-level rows.
  public static func pairUnitsColumns(_ pair: AnalysisPlan.CrossProduct, plan: AnalysisPlan) -> (
    count: String, sumA: String, sumB: String
  )? {
    let columns = plan.columns
    guard columns[pair.first].missing == .exclude || columns[pair.second].missing == .exclude else { return nil }
    let base = columns[pair.first].column + "_x_" + columns[pair.second].column
    return (base + "_n", base + "_sum_a", base + "_sum_b")
  }

  /// Unit rows the unit-level query drops in the engine, each counted per cell in its own result column
  /// (the same reasons, in the same order of precedence, as the CSV reader: a row with an unknown variant
  /// or segment is kept in the result under that name, then a 0/1 metric holding anything else, then an
  /// empty unit id, then a repeated unit).
  public enum DroppedRows: String, Sendable, Hashable, CaseIterable {
    case badValue = "dropped_bad_value"
    case missingUnit = "dropped_missing_unit"
    case duplicateUnit = "dropped_duplicate_unit"

    /// The result column.
    public var column: String { rawValue }

    /// The CSV reader's issue kind for these rows.
    public var issue: DataIssues.Kind {
      switch self {
      case .badValue: .badNumber
      case .missingUnit: .missingUnit
      case .duplicateUnit: .duplicateUnit
      }
    }

    init(issue: DataIssues.Kind) {
      self = Self.allCases.first { $0.issue == issue } ?? .badValue
    }

    /// What the rows were, for the data account's example.
    var phrase: String {
      switch self {
      case .badValue: "with a 0/1 metric holding another value, dropped in the database"
      case .missingUnit: "without a unit id, dropped in the database"
      case .duplicateUnit: "repeating a unit id, dropped in the database (one row per unit kept)"
      }
    }
  }
}
