import Foundation
import PostgresNIO
import StrataAnalysis
import StrataWarehouse

extension PostgresStore {
  public var dialect: SQLDialect { .postgres }

  public func run(_ query: CellQuery) async throws -> QueryResult {
    try await run(sql: query.sql, columns: query.columns)
  }

  public func run(sql: String, columns: [String]) async throws -> QueryResult {
    let logger = self.logger
    return try await withConnection { connection in
      try await Self.fetch(try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger), columns: columns)
    }
  }

  public func run(
    _ first: CellQueryRun.Step, then next: @escaping @Sendable ([QueryResult]) throws -> CellQueryRun.Step?
  )
    async throws -> [QueryResult]
  {
    let logger = self.logger
    // One snapshot for every query (REPEATABLE READ takes it at the first statement); rolled back on any error, which
    // comes out as it is (a WarehouseError of a later query's stays one: a 409).
    return try await withTransaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { connection in
      var step = first
      var results: [QueryResult] = []
      while true {
        results.append(
          try await Self.fetch(
            try await connection.query(PostgresQuery(unsafeSQL: step.sql), logger: logger), columns: step.columns))
        guard let following = try next(results) else { return results }
        step = following
      }
    }
  }

  /// The rows of a query's result, with the types the server gave them.
  static func fetch(_ rows: PostgresRows, columns: [String]) async throws -> QueryResult {
    var result = QueryResult(columns: columns, rows: [])
    var named = false
    for try await row in rows {
      if !named {
        result.columns = row.map(\.columnName)
        named = true
      }
      result.rows.append(try row.map(PostgresQueryRunner.value))
    }
    return result
  }

  public func exposureTotals(experiment: String) async throws -> ExposureTotals {
    let rows = try await self.rows(
      """
      SELECT coalesce(sum(exposures), 0)::int8, coalesce(sum(repeats), 0)::int8 FROM live_exposures
      WHERE experiment_id = \(experiment)
      """)
    for (count, repeats) in try rows.decode((Int, Int).self) {
      return ExposureTotals(exposures: count, repeats: repeats)
    }
    return ExposureTotals(exposures: 0, repeats: 0)
  }

  public func variantActivity(experiment: String, metrics: [String]) async throws -> [VariantActivity] {
    let rows = try await self.rows(
      """
      SELECT x.variant, count(*)::int8, coalesce(sum(x.repeats), 0)::int8,
        coalesce(sum((SELECT count(*) FROM events e WHERE e.unit_id = x.unit_id AND e.metric = ANY(\(metrics)))), 0)::int8
      FROM exposures x WHERE x.experiment_id = \(experiment) GROUP BY x.variant ORDER BY x.variant
      """)
    var activity: [VariantActivity] = []
    for (variant, units, repeats, events) in try rows.decode((String, Int, Int, Int).self) {
      activity.append(VariantActivity(variant: variant, exposures: units, repeats: repeats, events: events))
    }
    return activity
  }

  public func looks(experiment: String) async throws -> [LookRecord] {
    let rows = try await self.rows(
      "SELECT record FROM looks WHERE experiment_id = \(experiment) AND state = 'current' ORDER BY look")
    var records: [LookRecord] = []
    for text in try rows.decode(String.self) { records.append(try LookRecord.stored(text)) }
    return records
  }

  public func saveLooks(experiment: String, _ changes: [LookChange]) async throws {
    let logger = self.logger
    // One writer of an experiment's looks at a time, across every process sharing the database.
    try await withTransaction(first: "pg_advisory_xact_lock(hashtext(\(experiment)))") { connection in
      for change in changes {
        switch change {
        case .append(let record):
          let look = record.look
          let text = try record.storedText()
          var taken = 0
          for try await count in try await connection.query(
            "SELECT count(*) FROM looks WHERE experiment_id = \(experiment) AND look >= \(look) AND state = 'current'",
            logger: logger
          ).decode(Int.self) {
            taken = count
          }
          guard taken == 0 else { throw LookConflict() }
          try await connection.query(
            """
            INSERT INTO looks (experiment_id, look, revision, state, record, recorded_at)
            SELECT \(experiment), \(look), coalesce(max(revision), 0) + 1, 'current', \(text), now()
            FROM looks WHERE experiment_id = \(experiment) AND look = \(look)
            """, logger: logger)
        case .replaceLatest(let record):
          let look = record.look
          let text = try record.storedText()
          try await connection.query(
            """
            UPDATE looks SET state = 'replaced' WHERE experiment_id = \(experiment) AND look = \(look)
              AND state = 'current'
            """, logger: logger)
          try await connection.query(
            """
            INSERT INTO looks (experiment_id, look, revision, state, record, recorded_at)
            SELECT \(experiment), \(look), coalesce(max(revision), 0) + 1, 'current', \(text), now()
            FROM looks WHERE experiment_id = \(experiment) AND look = \(look)
            """, logger: logger)
        case .dropLatest(let look):
          try await connection.query(
            """
            UPDATE looks SET state = 'dropped' WHERE experiment_id = \(experiment) AND look = \(look)
              AND state = 'current'
            """, logger: logger)
        }
      }
    }
  }
}
