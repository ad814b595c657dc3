import Foundation
import StrataAnalysis
import Testing

@testable import StrataWarehouse

/// `CellQuery.summary(of:source:)`: a query result becomes the same cells as the same result saved as CSV,
/// with the CSV reader's account of dropped rows.
@Suite struct CellQueryResultTests {
  typealias V = QueryResult.Value

  static func result(pairs: Bool = false) throws -> (CellQuery, QueryResult) {
    var plan = SQLNameTests.plan()
    if pairs { plan.crossProducts = [AnalysisPlan.CrossProduct(first: 0, second: 1)] }
    let query = try CellQuery(
      plan: plan, dialect: .postgres, source: .units(table: "units"), countsZeroFills: false)
    var rows: [[V]] = [
      [
        .text("control"), .text("a"), .integer(4), .integer(4), .double(1), .integer(3), .double(100), .double(-3),
        .double(14.5), .integer(1), .integer(0), .integer(2),
      ],
      [
        .text(" treatment "), .text("a"), .integer(5), .integer(5), .text("3"), .integer(5), .double(100), .double(9),
        .double(40.25), .integer(0), .integer(1), .integer(0),
      ],
      [
        .text("control"), .text("b"), .integer(2), .integer(2), .integer(0), .integer(2), .double(101), .double(0.5),
        .double(0.5), .integer(0), .integer(0), .integer(0),
      ],
      [
        .text("t9"), .text("a"), .integer(3), .integer(3), .double(2), .integer(0), .double(100), .double(0),
        .double(0), .integer(0), .integer(0), .integer(0),
      ],
      [
        .null, .text("b"), .integer(1), .integer(1), .double(0), .integer(1), .double(100), .double(2), .double(4),
        .integer(0), .integer(0), .integer(0),
      ],
      [
        .text("treatment"), .text("zz"), .integer(2), .integer(2), .double(1), .integer(2), .double(100),
        .double(1), .double(1), .integer(0), .integer(0), .integer(0),
      ],
    ]
    var columns = query.columns
    if pairs {
      columns.removeLast(3)
      columns += ["dropped_bad_value", "dropped_missing_unit", "dropped_duplicate_unit"]
      rows = rows.map { row in
        var row = row
        row[5] = row[2]  // revenue on every unit: the pair's own units (converted_x_revenue_n) are all n
        return Array(row.prefix(9)) + [.double(0.5), row[2], row[4], row[7]] + Array(row.suffix(3))
      }
    }
    return (query, QueryResult(columns: columns, rows: rows))
  }

  @Test func unknownCellsAndDroppedRowsAreAccountedAsTheCSVReaderDoes() throws {
    let (query, result) = try Self.result()
    let summary = try query.summary(of: result, source: "test")
    #expect(summary.format == .query)
    #expect(summary.rowsUsed == 11)
    #expect(summary.units == 11)
    #expect(summary.rowsRead == 11 + 3 + 1 + 2 + 4)  // kept, unknown variants, unknown segment, dropped
    #expect(summary.issues.entries[.unknownVariant]?.count == 4)
    #expect(summary.issues.entries[.unknownSegment]?.count == 2)
    #expect(summary.issues.entries[.badNumber]?.count == 1)
    #expect(summary.issues.entries[.missingUnit]?.count == 1)
    #expect(summary.issues.entries[.duplicateUnit]?.count == 2)
    #expect(summary.duplicatesChecked)
    #expect(summary.statistics.units(variant: 1, segment: 0) == 5)  // " treatment " trimmed, as in a CSV
  }

  @Test(arguments: [false, true])
  func cellsEqualTheSameResultSavedAsCSV(_ pairs: Bool) throws {
    let (query, result) = try Self.result(pairs: pairs)
    let summary = try query.summary(of: result, source: "test")
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cells-\(UUID()).csv")
    defer { try? FileManager.default.removeItem(at: file) }
    try Data(result.csv.utf8).write(to: file)
    let saved = try DataReader.read(path: file.path, plan: query.plan)
    #expect(saved.statistics == summary.statistics)
    #expect(saved.statistics.pairCount == (pairs ? 1 : 0))
  }

  /// `missing: exclude` on a column of a pair: the result carries the pair's own units and sums, so a cell where a unit
  /// has one value but not the other becomes the unit-level CSV reader's cell (the co-moment of the units with both);
  /// `Analyzer` then stops on it as it does for that CSV.
  @Test func aPairWithDifferentUnitsKeepsItsOwnUnits() throws {
    var plan = SQLNameTests.plan()
    plan.crossProducts = [AnalysisPlan.CrossProduct(first: 0, second: 1)]
    let query = try CellQuery(plan: plan, dialect: .duckdb, source: .units(table: "units"))
    #expect(query.columns.contains("converted_x_revenue_n") && query.columns.contains("converted_x_revenue_sum_b"))
    #expect(query.sql.contains("COUNT(CASE WHEN u.m0 IS NOT NULL AND u.m1 IS NOT NULL THEN 1 END)"))
    // Units (converted, revenue): (1, 10), (0, nil), (1, 4): revenue has 2 values, the pair 2 units.
    var values: [String: V] = [
      "variant": .text("control"), "segment": .text("a"), "n": .integer(3), "converted_n": .integer(3),
      "converted_zero_filled": .integer(0), "converted_sum": .integer(2), "revenue_n": .integer(2),
      "revenue_shift": .double(0), "revenue_sum": .double(14), "revenue_sum_sq": .double(116),
      "converted_x_revenue_sum": .double(14), "converted_x_revenue_n": .integer(2),
      "converted_x_revenue_sum_a": .double(2), "converted_x_revenue_sum_b": .double(14),
      "dropped_bad_value": .integer(0), "dropped_missing_unit": .integer(0), "dropped_duplicate_unit": .integer(0),
    ]
    #expect(Set(values.keys) == Set(query.columns))
    let row = { (values: [String: V]) in query.columns.map { values[$0]! } }
    let summary = try query.summary(of: QueryResult(columns: query.columns, rows: [row(values)]), source: "db")
    var reference = CrossMoments()
    reference.add(1, 10)
    reference.add(1, 4)
    let pair = summary.statistics.pair(0, variant: 0, segment: 0)
    #expect(pair.count == 2 && pair.meanA == reference.meanA && pair.meanB == reference.meanB)
    #expect(abs(pair.comoment - reference.comoment) <= 1e-12)
    values["converted_x_revenue_n"] = .integer(3)  // more than revenue's values
    #expect(throws: WarehouseError.self) {
      try query.summary(of: QueryResult(columns: query.columns, rows: [row(values)]), source: "db")
    }
  }

  @Test func aValueTheQueryNeverWritesIsAnErrorNamingRowAndColumn() throws {
    let (query, result) = try Self.result()
    var broken = result
    broken.rows[2][6] = .text("many")
    #expect(
      throws: WarehouseError("row 3 of the result from db has revenue_shift = many, which is not a finite number")
    ) {
      try query.summary(of: broken, source: "db")
    }
    broken = result
    broken.rows[0][4] = .double(1.5)
    #expect(throws: WarehouseError.self) { try query.summary(of: broken, source: "db") }
    broken = result
    broken.columns[7] = "other"
    #expect(throws: WarehouseError.self) { try query.summary(of: broken, source: "db") }
    broken = result
    broken.rows[1].removeLast()
    #expect(throws: WarehouseError.self) { try query.summary(of: broken, source: "db") }
  }

  /// `<col>_zero_filled` (a `missing: zero` column's values counted as 0) is read into the cells, which then say
  /// the fills are known, as a unit-level CSV's; a count above the column's values is an error naming it.
  @Test func zeroFillCountsAreRead() throws {
    let query = try CellQuery(plan: SQLNameTests.plan(), dialect: .postgres, source: .units(table: "units"))
    #expect(query.columns.filter { $0.hasSuffix("_zero_filled") } == ["converted_zero_filled"])  // revenue: exclude
    func row(_ variant: String, filled: Int64) -> [V] {
      [
        .text(variant), .text("a"), .integer(4), .integer(4), .integer(filled), .double(1), .integer(3),
        .double(100), .double(-3), .double(14.5), .integer(0), .integer(0), .integer(0),
      ]
    }
    let summary = try query.summary(
      of: QueryResult(columns: query.columns, rows: [row("control", filled: 2), row("treatment", filled: 0)]),
      source: "db")
    #expect(summary.zeroFillsCounted)
    #expect(summary.statistics.metric(0, variant: 0).zeroFilled == 2)
    #expect(summary.missingValues(plan: query.plan).first?.units == 2)
    #expect(
      throws: WarehouseError(
        "row 1 of the result from db has converted_zero_filled = 5, which must be a whole number between 0 and the 4 units with a value"
      )
    ) {
      try query.summary(of: QueryResult(columns: query.columns, rows: [row("control", filled: 5)]), source: "db")
    }
    let (old, result) = try Self.result()
    #expect(try !old.summary(of: result, source: "db").zeroFillsCounted)
  }

  @Test func anEmptyResultHasNothingToAnalyse() throws {
    let (query, _) = try Self.result()
    let summary = try query.summary(of: QueryResult(columns: [], rows: []), source: "db")
    #expect(summary.rowsRead == 0)
    #expect(throws: (any Error).self) { try summary.requireUnits() }
  }

  @Test(arguments: SQLDialect.allCases)
  func crossProductsAreSummedInEveryDialect(_ dialect: SQLDialect) throws {
    var plan = SQLNameTests.plan()
    plan.crossProducts = [AnalysisPlan.CrossProduct(first: 0, second: 1)]
    for source in [CellQuery.Source.units(table: "t"), .events(exposures: "x", events: "e")] {
      let query = try CellQuery(plan: plan, dialect: dialect, source: source)
      #expect(query.columns.contains("converted_x_revenue_sum"))
      // 0 in a cell where revenue is constant (its K is then that value); the 0/1 column has no shift.
      #expect(
        query.sql.contains(
          "CASE WHEN MAX(u.m1) - MIN(u.m1) = 0 THEN \(dialect.literal(0)) ELSE COALESCE(SUM(u.m0 * (u.m1 - c.k1)), 0) END AS "
        ))
    }
    plan.crossProducts = [AnalysisPlan.CrossProduct(first: 1, second: 1)]
    #expect(throws: WarehouseError.self) { try CellQuery(plan: plan, dialect: dialect, source: .units(table: "t")) }
  }

  @Test func theDuplicateCheckCanBeSwitchedOff() throws {
    let plan = SQLNameTests.plan()
    let checked = try CellQuery(plan: plan, dialect: .spark, source: .units(table: "t"))
    let unchecked = try CellQuery(plan: plan, dialect: .spark, source: .units(table: "t"), checkDuplicates: false)
    #expect(checked.sql.contains("ROW_NUMBER() OVER (PARTITION BY s.row_status, s.unit_key"))
    #expect(!unchecked.sql.contains("ROW_NUMBER"))
    #expect(!unchecked.columns.contains("dropped_duplicate_unit"))
  }
}
