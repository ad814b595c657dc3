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
