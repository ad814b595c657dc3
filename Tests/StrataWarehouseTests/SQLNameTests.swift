import StrataAnalysis
import StrataDefinitions
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
    func plan(_ name: String, _ covariates: [String], column: String? = nil) -> AnalysisPlan {
      AnalysisPlan(
        id: "exp-1", variants: ["control", "treatment"], segments: ["a"],
        metrics: [
          .init(
            name: name, kind: .continuous, column: column,
            regression: .init(columns: covariates, missing: .zero, errors: .hc3))
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
    let long = plan(String(repeating: "m", count: 200), ["c1", String(repeating: "c", count: 50)], column: "spend")
    for dialect in SQLDialect.allCases {
      let error = try #require(throws: WarehouseError.self, "\(dialect)") {
        try CellQuery(plan: long, dialect: dialect, source: .units(table: "units"))
      }
      #expect(error.message.contains("covariates: gives the result column"), "\(error)")
    }
  }

  /// Every other generated result column too (`<col>_sum_sq`, `<col>_zero_filled`, a CUPED pair's `<a>_x_<b>_sum`
  /// and its units' `_sum_a`): over 63 bytes PostgreSQL would truncate it (two columns could then read as one), so
  /// the query is refused with one sentence naming the metric and the column; other dialects keep it whole.
  @Test func everyResultColumnIsLengthCheckedForPostgres() throws {
    func plan(_ column: String, missing: Metric.MissingValuePolicy = .exclude, covariate: String? = nil)
      -> AnalysisPlan
    {
      AnalysisPlan(
        id: "exp-1", variants: ["control", "treatment"], segments: ["a"],
        metrics: [
          .init(name: "spend", kind: .binomial),
          .init(
            name: "revenue", kind: .continuous, column: column, missing: missing,
            covariate: covariate.map { .init(column: $0) }),
        ])
    }
    let long = String(repeating: "r", count: 57)  // 57 bytes: "_sum_sq" (7) makes 64
    let cases: [(AnalysisPlan, String, String)] = [
      (plan(long), "metrics[1] (\"revenue\") column: gives the result column", long + "_sum_sq"),
      (
        plan(String(repeating: "z", count: 52), missing: .zero),
        "metrics[1] (\"revenue\") column: gives the result column", String(repeating: "z", count: 52) + "_zero_filled"
      ),
      (
        plan("revenue", covariate: String(repeating: "c", count: 50)),
        "metrics[1] (\"revenue\") covariate: gives the cross-product result column",
        "revenue_x_" + String(repeating: "c", count: 50) + "_sum"
      ),
      (
        plan("revenue", covariate: String(repeating: "c", count: 48)),
        "metrics[1] (\"revenue\") covariate: gives the cross-product result column",
        "revenue_x_" + String(repeating: "c", count: 48) + "_sum_a"
      ),
    ]
    for (plan, role, name) in cases {
      #expect(name.utf8.count > 63 && name.utf8.count <= 65, "\(name.utf8.count)")
      let error = try #require(throws: WarehouseError.self, "\(name)") {
        try CellQuery(plan: plan, dialect: .postgres, source: .units(table: "units"))
      }
      #expect(
        error.message
          == "\(role) \"\(name)\", \(name.utf8.count) bytes, longer than the 63 bytes postgres keeps of a column name: shorten the metric's name or its columns' names",
        "\(error)")
      for dialect in SQLDialect.allCases where dialect != .postgres {
        let query = try CellQuery(plan: plan, dialect: dialect, source: .units(table: "units"))
        #expect(query.columns.contains(name), "\(dialect)")
      }
    }
    // Within 63 bytes it is accepted.
    _ = try CellQuery(plan: plan(String(repeating: "r", count: 56)), dialect: .postgres, source: .units(table: "units"))
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
