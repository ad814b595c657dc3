import StrataAnalysis
import Testing

@testable import StrataWarehouse

/// Names from a definition or the command line can never close their quotes, in any dialect.
@Suite struct SQLNameTests {
  static let hostile = [
    "revenue\" FROM t; DROP TABLE users; --", "revenue` FROM t; DROP TABLE users; --",
    "revenue' OR '1'='1", "revenue\\", "reve\nnue", "reve\u{0}nue", "", " revenue", "revenue ",
    String(repeating: "x", count: 256),
  ]

  static func plan(column: String = "revenue", unit: String = "unit_id") -> AnalysisPlan {
    AnalysisPlan(
      id: "exp-1", unitColumn: unit, variants: ["control", "treatment"], segments: ["a", "b"],
      metrics: [
        .init(name: "converted", kind: .binomial, missing: .zero),
        .init(name: "revenue", kind: .continuous, column: column),
      ])
  }

  @Test(arguments: SQLDialect.allCases)
  func hostileColumnsAreRefusedInEveryDialect(_ dialect: SQLDialect) {
    for name in Self.hostile {
      #expect(throws: WarehouseError.self, "column \(SQLName.display(name)) in \(dialect)") {
        _ = try CellQuery(plan: Self.plan(column: name), dialect: dialect, source: .units(table: "units"))
      }
      #expect(throws: WarehouseError.self, "unit column \(SQLName.display(name)) in \(dialect)") {
        _ = try CellQuery(plan: Self.plan(unit: name), dialect: dialect, source: .units(table: "units"))
      }
      #expect(throws: WarehouseError.self, "table \(SQLName.display(name)) in \(dialect)") {
        _ = try CellQuery(plan: Self.plan(), dialect: dialect, source: .units(table: name))
      }
      #expect(throws: WarehouseError.self, "events table \(SQLName.display(name)) in \(dialect)") {
        _ = try CellQuery(plan: Self.plan(), dialect: dialect, source: .events(exposures: "x", events: name))
      }
    }
  }

  @Test func theErrorNamesTheFieldAndTheProblem() {
    do {
      _ = try CellQuery(plan: Self.plan(column: "a\"b"), dialect: .postgres, source: .units(table: "units"))
      Issue.record("accepted a double quote")
    } catch {
      #expect(error.message == "metrics[1].column \"a\"b\" cannot be used in SQL: it contains a double quote")
    }
  }

  @Test(arguments: SQLDialect.allCases)
  func oddButHarmlessNamesAreQuoted(_ dialect: SQLDialect) throws {
    let name = "revenue (EUR); DROP TABLE x --"
    let query = try CellQuery(
      plan: Self.plan(column: name), dialect: dialect, source: .units(table: "my schema.unit table"))
    let quote = dialect == .spark || dialect == .bigquery || dialect == .clickhouse ? "`" : "\""
    #expect(query.sql.contains("\(quote)\(name)\(quote)"))
    #expect(query.sql.contains("\(quote)\(name)_sum_sq\(quote)"))
    #expect(query.sql.contains(dialect == .snowflake ? "\"my schema\".\"unit table\"" : "\(quote)my schema\(quote)"))
  }

  /// Lin's result columns (`<metric>_lin_<a>_x_<b>_sum`, `<metric>_hc_...`) are checked as the other names: over 255
  /// bytes is refused in every dialect (not a crash), over 63 in PostgreSQL (which would truncate the name).
  @Test func linResultColumnsAreLengthChecked() throws {
    func plan(_ name: String, _ covariates: [String]) -> AnalysisPlan {
      AnalysisPlan(
        id: "exp-1", variants: ["control", "treatment"], segments: ["a"],
        metrics: [
          .init(name: name, kind: .continuous, regression: .init(columns: covariates, missing: .zero, errors: .hc3))
        ])
    }
    let postgres = plan("revenue_per_user", ["revenue_pre_period", "sessions_pre_period"])
    let name = "revenue_per_user_lin_revenue_pre_period_x_sessions_pre_period_sum"
    #expect(name.utf8.count == 65)
    let error = try #require(throws: WarehouseError.self) {
      try CellQuery(plan: postgres, dialect: .postgres, source: .units(table: "units"))
    }
    #expect(
      error.message.contains("metrics[0] (\"revenue_per_user\") covariates:")
        && error.message.contains("\"revenue_per_user_lin_revenue_pre_period_x_"),
      "\(error)")
    #expect(error.message.contains("63 bytes"), "\(error)")
    _ = try CellQuery(plan: postgres, dialect: .duckdb, source: .units(table: "units"))
    let long = plan(String(repeating: "m", count: 200), ["c1", String(repeating: "c", count: 50)])
    for dialect in SQLDialect.allCases {
      let error = try #require(throws: WarehouseError.self, "\(dialect)") {
        try CellQuery(plan: long, dialect: dialect, source: .units(table: "units"))
      }
      #expect(error.message.contains("covariates: gives the result column"), "\(error)")
    }
  }

  @Test func tableNamesHaveOneToThreeParts() throws {
    #expect(try SQLName.table("c.s.t", .bigquery, role: "--table") == "`c`.`s`.`t`")
    #expect(try SQLName.table("s.t", .snowflake, role: "--table") == "\"S\".\"T\"")
    #expect(throws: WarehouseError.self) { try SQLName.table("a.b.c.d", .postgres, role: "--table") }
    #expect(throws: WarehouseError.self) { try SQLName.table("a..b", .postgres, role: "--table") }
  }

  @Test func snowflakeUppercasesOnlyPlainNames() {
    #expect(SQLName.quote("unit_id", .snowflake) == "\"UNIT_ID\"")
    #expect(SQLName.quote("Unit Id", .snowflake) == "\"Unit Id\"")
    #expect(SQLName.quote("unit_id", .postgres) == "\"unit_id\"")
    #expect(SQLName.alias("revenue_sum", .snowflake) == "\"revenue_sum\"")
  }
}
