import StrataAnalysis
import StrataAssignment
import StrataDefinitions
import Testing

@testable import StrataWarehouse

@Suite struct CellQueryTests {
  @Test func resultColumnsFollowTheAggregatedFormat() throws {
    let query = try CellQuery(plan: SQLNameTests.plan(), dialect: .duckdb, source: .units(table: "units"))
    #expect(
      query.columns == [
        "variant", "segment", "n", "converted_n", "converted_zero_filled", "converted_sum", "revenue_n",
        "revenue_shift", "revenue_sum", "revenue_sum_sq", "dropped_bad_value", "dropped_missing_unit",
        "dropped_duplicate_unit",
      ])
    for column in query.columns { #expect(query.sql.contains("AS \"\(column)\"")) }
    let events = try CellQuery(
      plan: SQLNameTests.plan(), dialect: .duckdb, source: .events(exposures: "x", events: "e"))
    #expect(events.columns.last == "units_multiple_variants")
  }

  /// PostgreSQL's `unit_rows` ends with `OFFSET 0`, so the planner computes each row's values once rather than
  /// inlining them into every aggregate's argument (`SQLDialect.subqueryFence`); no other dialect has it.
  @Test(arguments: SQLDialect.allCases)
  func postgresComputesTheUnitRowsOnce(_ dialect: SQLDialect) throws {
    for checkDuplicates in [true, false] {
      let query = try CellQuery(
        plan: SQLNameTests.plan(), dialect: dialect, source: .units(table: "units"), checkDuplicates: checkDuplicates)
      #expect(query.sql.contains("  FROM ranked_rows\n  OFFSET 0\n)") == (dialect == .postgres))
      #expect(query.sql.components(separatedBy: "OFFSET").count == (dialect == .postgres ? 2 : 1))
    }
  }

  @Test func shiftComesFromTheFlagThenTheBaselineThenTheData() throws {
    var plan = SQLNameTests.plan()
    let fromData = try CellQuery(plan: plan, dialect: .postgres, source: .units(table: "units"))
    #expect(fromData.sql.contains("LIMIT 1"))
    let fromFlag = try CellQuery(
      plan: plan, dialect: .postgres, source: .units(table: "units"), shifts: ["revenue": 12.5])
    #expect(fromFlag.sql.contains("CAST(12.5 AS DOUBLE PRECISION) AS k1"))
    #expect(!fromFlag.sql.contains("LIMIT 1"))
    plan.metrics.swapAt(0, 1)  // revenue becomes the primary metric
    plan.baseline = 40
    let fromBaseline = try CellQuery(plan: plan, dialect: .postgres, source: .units(table: "units"))
    #expect(fromBaseline.sql.contains("CAST(40.0 AS DOUBLE PRECISION) AS k0"))
    #expect(throws: WarehouseError.self) {
      try CellQuery(plan: plan, dialect: .postgres, source: .units(table: "units"), shifts: ["nope": 1])
    }
  }

  @Test func oneSegmentNeedsNoSegmentColumn() throws {
    let plan = AnalysisPlan(
      id: "e", variants: ["a", "b"], segments: ["all"], metrics: [.init(name: "y", kind: .binomial)])
    let query = try CellQuery(plan: plan, dialect: .trino, source: .units(table: "t"))
    #expect(query.sql.contains("CAST('all' AS VARCHAR) AS cell_segment"))
    #expect(!query.sql.contains("\"segment\" AS"))
  }

  @Test(arguments: SQLDialect.allCases)
  func windowsBoundTheEventsInEveryDialect(_ dialect: SQLDialect) throws {
    var plan = SQLNameTests.plan()
    plan.metrics[1].window = AttributionWindow("30d")
    let query = try CellQuery(plan: plan, dialect: dialect, source: .events(exposures: "x", events: "e"))
    #expect(query.sql.contains("2592000"))
    #expect(query.notes.count == 1)  // revenue is missing: exclude
    #expect(query.fingerprint.count == 16)
  }

  @Test func windowsParse() {
    #expect(AttributionWindow("30d")?.seconds == 2_592_000)
    #expect(AttributionWindow("36h")?.seconds == 129_600)
    #expect(AttributionWindow("90m")?.seconds == 5_400)
    for bad in ["", "d", "30", "30s", "-1d", "0d", "+3d", "1.5d", "3651d", "99999999999999999999d"] {
      #expect(AttributionWindow(bad) == nil, "\(bad)")
    }
  }
}
