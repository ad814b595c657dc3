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

  /// `--refine CELLS.csv`: the query again with the cells whose sums lost their digits about their own means, and
  /// `analyze --data` of such cells warns, naming them and `--refine`.
  @Test func refineSumsTheDoubtfulCellsAboutTheirMeans() throws {
    let directory = try makeTemporaryDirectory("strata-sql-refine")
    defer { try? FileManager.default.removeItem(at: directory) }
    let header =
      "variant,segment,n,renewed_n,renewed_sum,revenue_n,revenue_shift,revenue_sum,revenue_sum_sq"
    // medium: 4 values near 300 about K = 1e12 (doubtful); high: about 300 (fine); low: all 0 about 1e12 (doubtful).
    let values = [310.0, 280.25, 299.75, 305]
    let sum = values.reduce(0) { $0 + ($1 - 1e12) }
    let squares = values.reduce(0) { $0 + ($1 - 1e12) * ($1 - 1e12) }
    var rows = [header]
    for variant in ["control", "reminder_progress", "reminder_social"] {
      rows.append("\(variant),high,4,4,2,4,300,-1.25,1050.3125")
      rows.append("\(variant),medium,4,4,2,4,1e12,\(sum),\(squares)")
      rows.append("\(variant),low,3,3,1,3,1e12,-3e12,3e24")
    }
    let cells = directory.appendingPathComponent("cells.csv")
    try rows.joined(separator: "\n").write(to: cells, atomically: true, encoding: .utf8)
    let analysis = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", cells.path, "--json", "--no-look-log",
    ])
    #expect(analysis.status == 0, "\(analysis.stderr)")
    #expect(
      analysis.stderr.contains("strata: warning: 6 columns' sums in 6 cells about their shift K kept fewer than 10"))
    #expect(analysis.stderr.contains("variant control, segment medium, revenue (line 3 of \(cells.path)"))
    #expect(analysis.stderr.contains("; and 1 more. For a result of strata sql"))
    #expect(analysis.stderr.contains("--refine \(cells.path)"))
    let arguments = ["sql", "--experiment", Self.experiment, "--dialect", "duckdb", "--table", "units"]
    let refined = try runStrata(arguments + ["--refine", cells.path])
    #expect(refined.status == 0, "\(refined.stderr)")
    #expect(
      refined.stderr.contains("strata: note: 6 cells had lost digits: summed again about each cell's own mean (revenue")
    )
    #expect(refined.stdout.contains("cell_constants AS ("))
    #expect(refined.stdout.contains("AVG(m1) AS k1"))
    // Cells without doubtful sums: nothing to print, and no warning from analyze.
    let fine = directory.appendingPathComponent("fine.csv")
    try rows.filter { !$0.contains("1e12") }.joined(separator: "\n").write(to: fine, atomically: true, encoding: .utf8)
    let nothing = try runStrata(arguments + ["--refine", fine.path])
    #expect(nothing.status == 0 && nothing.stdout.isEmpty)
    #expect(nothing.stderr.contains("no cell of \(fine.path) lost its variance's digits"))
    let quiet = try runStrata(["analyze", "--experiment", Self.experiment, "--data", fine.path, "--no-look-log"])
    #expect(!quiet.stderr.contains("warning"))
    // Unit rows are not a result to refine; --refine and --regression-cells do not go together.
    let units = try runStrata(arguments + ["--refine", AnalyzeCommandTests.data])
    #expect(units.status == 1 && units.stderr.contains("give the saved result of this query"))
    let both = try runStrata(arguments + ["--refine", cells.path, "--regression-cells", cells.path])
    #expect(both.status == 64)
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
