import GRDB
import StrataAnalysis
import StrataWarehouse

extension SQLiteStore {
  public var dialect: SQLDialect { .sqlite }

  public func run(_ query: CellQuery) async throws -> QueryResult {
    try await run(sql: query.sql, columns: query.columns)
  }

  public func run(sql: String, columns: [String]) async throws -> QueryResult {
    try await pool.read { db in try Self.fetch(sql, db) }
  }

  public func run(
    _ first: CellQueryRun.Step, then next: @escaping @Sendable ([QueryResult]) throws -> CellQueryRun.Step?
  )
    async throws -> [QueryResult]
  {
    // One read transaction: GRDB's pool reader sees one snapshot of the WAL for the whole closure.
    try await pool.read { db in
      var results = [try Self.fetch(first.sql, db)]
      while let step = try next(results) { results.append(try Self.fetch(step.sql, db)) }
      return results
    }
  }

  /// The rows of `sql` as SQLite typed them.
  static func fetch(_ sql: String, _ db: Database) throws -> QueryResult {
    let statement = try db.makeStatement(sql: sql)
    var result = QueryResult(columns: statement.columnNames, rows: [])
    let rows = try Row.fetchCursor(statement)
    while let row = try rows.next() {
      result.rows.append(
        row.databaseValues.map { value in
          switch value.storage {
          case .null: return .null
          case .int64(let number): return .integer(number)
          case .double(let number): return .double(number)
          case .string(let text): return .text(text)
          case .blob: return .null
          }
        })
    }
    return result
  }

  public func exposureTotals(experiment: String) async throws -> ExposureTotals {
    try await pool.read { db in
      let row = try Row.fetchOne(
        db,
        sql: """
          SELECT coalesce(sum(exposures), 0) AS n, coalesce(sum(repeats), 0) AS r FROM live_exposures
          WHERE experiment_id = ?
          """,
        arguments: [experiment])
      return ExposureTotals(exposures: row?["n"] ?? 0, repeats: row?["r"] ?? 0)
    }
  }

  public func variantActivity(experiment: String, metrics: [String]) async throws -> [VariantActivity] {
    let events =
      metrics.isEmpty
      ? "0"
      : "(SELECT count(*) FROM events e WHERE e.unit_id = x.unit_id AND e.metric IN (\(metrics.map { _ in "?" }.joined(separator: ", "))))"
    return try await pool.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT x.variant AS variant, count(*) AS units, coalesce(sum(x.repeats), 0) AS repeats,
            coalesce(sum(\(events)), 0) AS events
          FROM exposures x WHERE x.experiment_id = ? GROUP BY x.variant ORDER BY x.variant
          """, arguments: StatementArguments(metrics + [experiment])
      ).map { row in
        VariantActivity(
          variant: row["variant"], exposures: row["units"], repeats: row["repeats"], events: row["events"])
      }
    }
  }

  public func looks(experiment: String) async throws -> [LookRecord] {
    let texts = try await pool.read { db in
      try String.fetchAll(
        db,
        sql: "SELECT record FROM looks WHERE experiment_id = ? AND state = 'current' ORDER BY look",
        arguments: [experiment])
    }
    return try texts.map(LookRecord.stored)
  }

  public func saveLooks(experiment: String, _ changes: [LookChange]) async throws {
    let now = timestamp()
    let rows = try changes.map { change -> (LookChange, String?) in
      switch change {
      case .append(let record), .replaceLatest(let record): return (change, try record.storedText())
      case .dropLatest: return (change, nil)
      }
    }
    try await pool.write { db in
      for (change, text) in rows {
        switch change {
        case .append(let record):
          let taken = try Int.fetchOne(
            db, sql: "SELECT count(*) FROM looks WHERE experiment_id = ? AND look >= ? AND state = 'current'",
            arguments: [experiment, record.look])
          guard taken == 0 else { throw LookConflict() }
          try db.execute(
            sql: """
              INSERT INTO looks (experiment_id, look, revision, state, record, recorded_at)
              VALUES (?, ?, coalesce((SELECT max(revision) FROM looks WHERE experiment_id = ? AND look = ?), 0) + 1,
                'current', ?, ?)
              """, arguments: [experiment, record.look, experiment, record.look, text, now])
        case .replaceLatest(let record):
          try db.execute(
            sql: "UPDATE looks SET state = 'replaced' WHERE experiment_id = ? AND look = ? AND state = 'current'",
            arguments: [experiment, record.look])
          guard db.changesCount == 1 else { throw LookConflict() }
          try db.execute(
            sql: """
              INSERT INTO looks (experiment_id, look, revision, state, record, recorded_at)
              VALUES (?, ?, (SELECT max(revision) FROM looks WHERE experiment_id = ? AND look = ?) + 1,
                'current', ?, ?)
              """, arguments: [experiment, record.look, experiment, record.look, text, now])
        case .dropLatest(let look):
          try db.execute(
            sql: "UPDATE looks SET state = 'dropped' WHERE experiment_id = ? AND look = ? AND state = 'current'",
            arguments: [experiment, look])
          guard db.changesCount == 1 else { throw LookConflict() }
        }
      }
    }
  }
}
