/// The SQL engines `strata sql` writes for, and the few places where their syntax differs.
///
/// Everything else in the generated queries is the portable core of SQL:2003 (CTEs, `CASE`, `COALESCE`,
/// `ROW_NUMBER() OVER`, `CROSS JOIN`, scalar subqueries with `LIMIT 1`), which every dialect here accepts.
public enum SQLDialect: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  /// PostgreSQL, and Amazon Redshift.
  case postgres
  case duckdb
  /// Apache Spark SQL, and Databricks.
  case spark
  /// Trino, and Amazon Athena and Presto.
  case trino
  case bigquery
  case snowflake
  case clickhouse
  /// SQLite 3.25 or later (window functions); the service's embedded store. Times are text
  /// `YYYY-MM-DD HH:MM:SS.SSS` (UTC), which its date functions read and which orders as text.
  case sqlite

  public var description: String { rawValue }

  /// The character that opens and closes a quoted identifier.
  var identifierQuote: Character {
    switch self {
    case .spark, .bigquery, .clickhouse: "`"
    case .postgres, .duckdb, .trino, .snowflake, .sqlite: "\""
    }
  }

  /// The type that every variant and segment value is cast to, so they compare as text.
  var textType: String {
    switch self {
    case .postgres, .sqlite: "TEXT"
    case .duckdb, .trino, .snowflake: "VARCHAR"
    case .spark, .bigquery: "STRING"
    case .clickhouse: "Nullable(String)"
    }
  }

  /// The IEEE double type that every metric value is cast to before summing.
  var doubleType: String {
    switch self {
    case .postgres: "DOUBLE PRECISION"
    case .duckdb, .spark, .trino, .snowflake: "DOUBLE"
    case .bigquery: "FLOAT64"
    case .clickhouse: "Nullable(Float64)"
    case .sqlite: "REAL"
    }
  }

  /// What ends a CTE's query so that the engine computes its rows once instead of inlining it into each use; nil
  /// where none is needed.
  ///
  /// PostgreSQL flattens a plain subquery into the query that reads it: the unit-level `unit_rows`, inlined into the
  /// final aggregation, had its whole value expression (the row's status: `TRIM`, `= ANY(...)`) evaluated once per
  /// aggregate per row. `OFFSET 0` is its documented fence against that (also accepted by Redshift's `SELECT`):
  /// 30% less backend CPU on 1 M rows without the duplicate check (docs/performance.md).
  var subqueryFence: String? { self == .postgres ? "OFFSET 0" : nil }

  /// `time + seconds` for a timestamp expression.
  package func adding(seconds: Int, to time: String) -> String {
    switch self {
    case .postgres: "(\(time) + INTERVAL '\(seconds) seconds')"
    case .duckdb, .trino: "(\(time) + INTERVAL '\(seconds)' SECOND)"
    case .spark: "(\(time) + INTERVAL \(seconds) SECONDS)"
    case .bigquery: "TIMESTAMP_ADD(\(time), INTERVAL \(seconds) SECOND)"
    case .snowflake: "DATEADD(SECOND, \(seconds), \(time))"
    case .clickhouse: "(\(time) + INTERVAL \(seconds) SECOND)"
    // Keeps the milliseconds (datetime() would drop them) and the stored text's shape, so the comparison
    // with event times is exact.
    case .sqlite: "strftime('%Y-%m-%d %H:%M:%f', \(time), '+\(seconds) seconds')"
    }
  }

  /// A double constant as a literal the dialect reads back to the same double.
  func literal(_ value: Double) -> String {
    precondition(value.isFinite, "shift constants are finite")
    // Swift prints the shortest text that reads back to the same double; the cast keeps it a double
    // (a bare 0.1 is an exact DECIMAL in several dialects).
    return "CAST(\(value) AS \(doubleType))"
  }
}
