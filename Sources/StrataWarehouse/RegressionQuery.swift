import StrataAnalysis
import StrataAssignment
import StrataStats

/// The second query of Lin's regression (`covariates:`): given the fits that the first query's cells determine
/// (`RegressionFits`, as literals), each unit's HC2/HC3 term summed per variant × segment, where the units are.
///
/// The first query (`CellQuery`) returns per cell the count, shifted sums and sums of products of each regression
/// metric's value and covariates (`RegressionCells`); from them `RegressionFits` fits each arm, per segment and over
/// all segments (`InteractedRegressionFit`). The HC errors need, per unit, its residual eᵢ, leverage hᵢ and weight
/// gᵀzᵢ under its arm's fit, so this query reads the same units again (the same `unit_rows` as the first query:
/// the same filters, duplicate check and missing-value policies), joins each to its cell's fit constants and sums
/// (gᵀzᵢ)²·eᵢ²/(1 − hᵢ)^m per cell, for the segment's fit (`<metric>_hc_sum`) and for the overall fit
/// (`<metric>_hc_sum_all`, added over the segments by the reader). Units with a leverage of 1 are counted instead
/// (`_hc_leverage_one`, `_hc_leverage_one_all`). Each row also returns `<metric>_lin_n`, the units it summed, which
/// must equal the first query's count (else the data changed between the two queries), and `lin_fit`, the fits'
/// fingerprint, so the sums are never combined with other cells.
public struct RegressionQuery: Sendable {
  public let fits: RegressionFits
  public let dialect: SQLDialect
  /// The query text (ends with a newline, no semicolon).
  public let sql: String

  /// The second query for the first query `cells` (its plan, dialect, source and duplicate check) and `fits`, which
  /// must come from that query's result.
  public init(_ cells: CellQuery, fits: RegressionFits) throws(WarehouseError) {
    self.fits = fits
    dialect = cells.dialect
    var builder = try CellQueryBuilder(
      plan: cells.plan, dialect: cells.dialect, shifts: [:], checkDuplicates: cells.checkDuplicates,
      countsZeroFills: false)
    builder.regressionFits = fits
    switch cells.source {
    case .units(let table): sql = try builder.unitLevel(table: table)
    case .events(let exposures, let events): sql = try builder.eventLevel(exposures: exposures, events: events)
    }
  }

  /// The result's column names, in order.
  public var columns: [String] {
    var names = ["variant", "segment"]
    for metric in fits.cells.metrics { names += Self.names(plan: fits.plan, metric: metric).all }
    return names + [Self.fingerprintColumn]
  }

  /// The column with the fits' fingerprint.
  public static let fingerprintColumn = "lin_fit"

  /// One metric's result columns.
  static func names(plan: AnalysisPlan, metric: Int) -> (
    count: String, segment: String, segmentLeverage: String, overall: String, overallLeverage: String, all: [String]
  ) {
    let prefix = plan.metrics[metric].name
    let names = (
      prefix + "_lin_n", prefix + "_hc_sum", prefix + "_hc_leverage_one", prefix + "_hc_sum_all",
      prefix + "_hc_leverage_one_all"
    )
    return (names.0, names.1, names.2, names.3, names.4, [names.0, names.1, names.2, names.3, names.4])
  }

  /// Reads the result of this query into the sums `Analyzer` combines with the fits.
  ///
  /// Throws a `WarehouseError` naming the row and column when a value is not what the query writes, when the rows were
  /// computed for other fits, or when a cell's units differ from the first query's (the data changed in between).
  public func sums(of result: QueryResult, source: String) throws(WarehouseError) -> RegressionSums {
    try Self.sums(of: result, fits: fits, source: source)
  }

  /// Reads a result of the second query written for `fits` (saved as CSV by a user: `strata analyze
  /// --regression-sums`), as ``sums(of:source:)``.
  public static func sums(of result: QueryResult, fits: RegressionFits, source: String) throws(WarehouseError)
    -> RegressionSums
  {
    let plan = fits.plan
    let columns = result.columns
    func column(_ name: String) throws(WarehouseError) -> Int {
      guard let index = columns.firstIndex(of: name) else {
        throw WarehouseError(
          "the second query's result from \(source) has no column \"\(name)\" (columns: \(DisplayText.list(columns))); was it written by strata sql --regression-cells for this definition?"
        )
      }
      return index
    }
    let variantColumn = try column("variant")
    let segmentColumn = plan.segments.count > 1 ? try column("segment") : nil
    let fingerprint = try column(Self.fingerprintColumn)
    var fields: [[Int]] = []
    for metric in fits.cells.metrics {
      var own: [Int] = []
      for name in Self.names(plan: plan, metric: metric).all { own.append(try column(name)) }
      fields.append(own)
    }
    let arms = fits.arms
    var sums: [[Double]?] = fits.entries.map { entry in
      if case .success = entry.fit { return [Double](repeating: 0, count: arms.count) }
      return nil
    }
    var seen = [[Int]](
      repeating: [Int](repeating: 0, count: plan.variants.count * plan.segments.count), count: fits.cells.metrics.count)
    for (rowIndex, row) in result.rows.enumerated() {
      let number = rowIndex + 1
      func fail(_ column: Int, _ problem: String) -> WarehouseError {
        WarehouseError(
          "row \(number) of the second query's result from \(source) has \(columns[column]) = \(DisplayText.echo(row[column].description)), \(problem)"
        )
      }
      guard row.count == columns.count else {
        throw WarehouseError(
          "row \(number) of the second query's result from \(source) has \(row.count) values for \(columns.count) columns"
        )
      }
      guard row[fingerprint].text == fits.fingerprint else {
        throw fail(
          fingerprint,
          "but the cells give fits \(fits.fingerprint): the second query was written from another result of the first query; write it again with strata sql --regression-cells from the cells analysed"
        )
      }
      guard let variant = row[variantColumn].index(in: plan.variants), let arm = arms.firstIndex(of: variant)
      else { throw fail(variantColumn, "which is not a variant of the experiment") }
      var segment = 0
      if let segmentColumn {
        guard let index = row[segmentColumn].index(in: plan.segments) else {
          throw fail(segmentColumn, "which is not a segment of the experiment")
        }
        segment = index
      }
      for (position, own) in fields.enumerated() {
        guard let units = row[own[0]].number, units >= 0, units == units.rounded() else {
          throw fail(own[0], "which must be a whole number ≥ 0")
        }
        let expected = fits.cells.moments(position: position, variant: variant, segment: segment).count
        guard units == expected else {
          throw fail(
            own[0],
            "but the first query counted \(Int(expected)) units with a value and every covariate in that cell: the data changed between the two queries (or the cells are another query's); run both again"
          )
        }
        seen[position][variant * plan.segments.count + segment] += 1
        for (scope, sumColumn, leverageColumn) in [(Optional(segment), own[1], own[2]), (nil, own[3], own[4])] {
          let entry = fits.entryIndex(position: position, segment: scope)
          guard sums[entry] != nil else { continue }
          guard let leverage = row[leverageColumn].number, leverage >= 0, leverage == leverage.rounded() else {
            throw fail(leverageColumn, "which must be a whole number ≥ 0")
          }
          var value = 0.0
          if leverage > 0 {
            value = .nan  // `RegressionComparer` reports the unit with leverage 1, as the unit rows do
          } else if units > 0 {
            guard let sum = row[sumColumn].number, sum >= 0 else { throw fail(sumColumn, "which must be a number ≥ 0") }
            value = sum
          }
          sums[entry]?[arm] += value
        }
      }
    }
    for (position, cells) in seen.enumerated() {
      for (cell, count) in cells.enumerated() {
        let variant = cell / plan.segments.count, segment = cell % plan.segments.count
        let expected = fits.cells.moments(position: position, variant: variant, segment: segment).count
        guard count <= 1, count == 1 || expected == 0 else {
          throw WarehouseError(
            "the second query's result from \(source) has \(count) rows for variant \(DisplayText.echo(plan.variants[variant])), segment \(DisplayText.echo(plan.segments[segment])), where the first query counted \(Int(expected)) units: the data changed between the two queries, or the result is incomplete; run both again"
          )
        }
      }
    }
    return RegressionSums(fingerprint: fits.fingerprint, sums: sums)
  }
}

extension CellQueryBuilder {
  /// The second query's final aggregation over `unit_rows` (see `RegressionQuery`).
  func regressionSums(_ fits: RegressionFits) -> String {
    let arms = fits.arms
    let metrics = fits.cells.metrics
    let scopes = ["s", "o"]
    // The fit constants: one row per variant × segment, per metric and scope (s: the segment's fit, o: the overall
    // one) the outcome shift k, the arm's shifted mean y, 1/n, and per covariate its mean x, slope b, gradient g
    // and the inverse co-moment matrix v.
    var constantRows: [String] = []
    for variant in arms {
      for segment in plan.segments.indices {
        var values = [
          "\(text(SQLName.literal(plan.variants[variant]))) AS fit_variant",
          "\(text(SQLName.literal(plan.segments[segment]))) AS fit_segment",
        ]
        for (position, metric) in metrics.enumerated() {
          let k = plan.metrics[metric].regression?.columns.count ?? 0
          for scope in scopes {
            let entry = fits.entries[fits.entryIndex(position: position, segment: scope == "s" ? segment : nil)]
            let name = "r\(position)\(scope)_"
            let arm = arms.firstIndex(of: variant) ?? 0
            let fit: InteractedRegressionFit?
            if case .success(let found) = entry.fit { fit = found } else { fit = nil }
            func constant(_ value: Double?, _ suffix: String) {
              let literal = value.map { dialect.literal($0) } ?? "CAST(NULL AS \(dialect.doubleType))"
              values.append("\(literal) AS \(name)\(suffix)")
            }
            constant(fit?.outcomeShift, "k")
            constant(fit?.outcomeMeans[arm], "y")
            constant(fit.map { 1 / $0.counts[arm] }, "n")
            for l in 0..<k {
              constant(fit?.covariateMeans[arm][l], "x\(l)")
              constant(fit?.slopes[arm][l], "b\(l)")
              constant(fit?.gradients[arm][l], "g\(l)")
              for j in 0..<k { constant(fit?.inverses[arm][l][j], "v\(l)_\(j)") }
            }
          }
        }
        constantRows.append("SELECT " + values.joined(separator: ", "))
      }
    }
    // Per unit: the deviations from its arm's means (d), then residual, leverage and weight.
    var deviations = ["u.cell_variant", "u.cell_segment", "f.*"]
    var terms = ["d.cell_variant", "d.cell_segment"]
    var sums = [
      "t.cell_variant AS \(SQLName.alias("variant", dialect))",
      "t.cell_segment AS \(SQLName.alias("segment", dialect))",
    ]
    let one = dialect.literal(1)
    let limit = dialect.literal(InteractedRegressionFit.leverageLimit)
    for (position, metric) in metrics.enumerated() {
      let columns = plan.columnIndices(metric: metric)
      let k = columns.count - 1
      let unit = "r\(position)_unit"
      deviations.append("CASE WHEN \(regressionComplete(columns)) THEN 1 END AS \(unit)")
      terms.append("d.\(unit)")
      let names = RegressionQuery.names(plan: plan, metric: metric)
      sums.append("COUNT(t.\(unit)) AS \(SQLName.alias(names.count, dialect))")
      for scope in scopes {
        let p = "r\(position)\(scope)_"
        deviations.append("((u.m\(columns[0]) - f.\(p)k) - f.\(p)y) AS \(p)e0")
        for l in 0..<k { deviations.append("(u.m\(columns[l + 1]) - f.\(p)x\(l)) AS \(p)d\(l)") }
        let residual = (0..<k).map { " - d.\(p)b\($0) * d.\(p)d\($0)" }.joined()
        terms.append("(d.\(p)e0\(residual)) AS \(p)e")
        let leverage = (0..<k).map { i in
          " + d.\(p)d\(i) * (" + (0..<k).map { j in "d.\(p)v\(i)_\(j) * d.\(p)d\(j)" }.joined(separator: " + ") + ")"
        }.joined()
        terms.append("(d.\(p)n\(leverage)) AS \(p)h")
        let weight = (0..<k).map { " + d.\(p)d\($0) * d.\(p)g\($0)" }.joined()
        terms.append("(d.\(p)n\(weight)) AS \(p)w")
        let hc3 = plan.metrics[metric].regression?.errors == .hc3
        let denominator = hc3 ? "((\(one) - t.\(p)h) * (\(one) - t.\(p)h))" : "(\(one) - t.\(p)h)"
        let sumName = scope == "s" ? names.segment : names.overall
        let leverageName = scope == "s" ? names.segmentLeverage : names.overallLeverage
        sums.append(
          "SUM(CASE WHEN t.\(p)h < \(limit) THEN t.\(p)w * t.\(p)w * (t.\(p)e * t.\(p)e / \(denominator)) END) AS \(SQLName.alias(sumName, dialect))"
        )
        sums.append(
          "COUNT(CASE WHEN t.\(unit) = 1 AND t.\(p)h >= \(limit) THEN 1 END) AS \(SQLName.alias(leverageName, dialect))"
        )
      }
    }
    sums.append(
      "\(text(SQLName.literal(fits.fingerprint))) AS \(SQLName.alias(RegressionQuery.fingerprintColumn, dialect))")
    let constants = constantRows.joined(separator: "\n    UNION ALL ")
    var text = "SELECT\n" + list(sums, indent: 2) + "\nFROM (\n  SELECT\n" + list(terms, indent: 4)
    text += "\n  FROM (\n    SELECT\n" + list(deviations, indent: 6) + "\n    FROM unit_rows AS u\n"
    text += "    INNER JOIN (\n    \(constants)\n    ) AS f\n"
    text += "      ON f.fit_variant = u.cell_variant AND f.fit_segment = u.cell_segment\n  ) AS d\n) AS t\n"
    text += "GROUP BY t.cell_variant, t.cell_segment\nORDER BY t.cell_variant, t.cell_segment\n"
    return text
  }
}
