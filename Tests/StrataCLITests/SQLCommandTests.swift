import Foundation
import StrataTestSupport
import Testing

@Suite("strata sql")
struct SQLCommandTests {
  static let experiment = AnalyzeCommandTests.experiment

  @Test func printsOneQueryPerDialect() throws {
    for dialect in ["postgres", "duckdb", "spark", "trino", "bigquery", "snowflake", "clickhouse"] {
      let run = try runStrata(["sql", "--experiment", Self.experiment, "--dialect", dialect, "--table", "s.units"])
      #expect(run.status == 0, "\(dialect): \(run.stderr)")
      #expect(run.stdout.hasPrefix("WITH "))
      #expect(!run.stdout.contains(";"), "one statement, no terminator")
      #expect(run.stdout.contains("renewed_sum") && run.stdout.contains("revenue_sum_sq"))
    }
  }

  @Test func eventShapeNotesUnitsWithoutEvents() throws {
    let run = try runStrata([
      "sql", "--experiment", Self.experiment, "--dialect", "bigquery", "--exposures", "p.d.exposures", "--events",
      "p.d.events",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("units_multiple_variants"))
    #expect(run.stdout.contains("`p`.`d`.`events`"))
    #expect(run.stderr.isEmpty)  // both metrics have missing: zero
  }

  @Test func hostileTableIsAnInputError() throws {
    let run = try runStrata([
      "sql", "--experiment", Self.experiment, "--dialect", "spark", "--table", "units` WHERE 1=1; DROP TABLE x; --",
    ])
    #expect(run.status == 1)
    #expect(run.stdout.isEmpty)
    #expect(run.stderr.contains("--table") && run.stderr.contains("backtick"))
  }

  @Test func usageErrorsExit64() throws {
    for arguments in [
      ["--dialect", "duckdb"],  // no source
      ["--dialect", "duckdb", "--table", "t", "--events", "e"],
      ["--dialect", "duckdb", "--exposures", "x"],
      ["--dialect", "oracle", "--table", "t"],
      ["--dialect", "duckdb", "--table", "t", "--shift", "revenue"],
    ] {
      let run = try runStrata(["sql", "--experiment", Self.experiment] + arguments)
      #expect(run.status == 64, "\(arguments): \(run.stderr)")
    }
  }

  @Test func shiftFlagIsUsedAndChecked() throws {
    let run = try runStrata([
      "sql", "--experiment", Self.experiment, "--dialect", "postgres", "--table", "t", "--shift", "revenue=49.5",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("CAST(49.5 AS DOUBLE PRECISION) AS k1"))
    let unknown = try runStrata([
      "sql", "--experiment", Self.experiment, "--dialect", "postgres", "--table", "t", "--shift", "clicks=1",
    ])
    #expect(unknown.status == 1)
    #expect(unknown.stderr.contains("\"clicks\", which is not a metric"))
  }

  @Test func badWindowNamesTheLine() throws {
    let directory = try makeTemporaryDirectory("strata-sql")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("e.yaml")
    try """
    id: e
    variants: [{key: a}, {key: b}]
    metrics:
      - name: y
        kind: binomial
        window: 30 days
    """.write(to: file, atomically: true, encoding: .utf8)
    let run = try runStrata(["sql", "--experiment", file.path, "--dialect", "duckdb", "--table", "t"])
    #expect(run.status == 1)
    #expect(run.stderr.contains("e.yaml:6") && run.stderr.contains("metrics[0].window"), "\(run.stderr)")
  }
}
