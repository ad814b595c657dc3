// The ingestion ceiling: a bare loop that inserts events in batches through the same drivers as `strata serve`
// (GRDB for SQLite, postgres-nio for PostgreSQL), into the same table with the same statement, one transaction per
// batch, with nothing else around it (no HTTP, no JSON, no checks, no group commit).
//
//   ingest-ceiling sqlite PATH BATCHES [BATCH_SIZE]     (PATH: a database `strata serve` has migrated)
//   ingest-ceiling postgres HOST PORT USER DATABASE BATCHES [BATCH_SIZE]
//
// Prints one JSON line: {"driver", "batches", "batch_size", "events", "seconds", "events_per_second"}.
import Foundation
import GRDB
import Logging
import PostgresNIO

let arguments = CommandLine.arguments
func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data((message + "\n").utf8))
  exit(64)
}
guard arguments.count >= 4 else {
  fail("usage: ingest-ceiling sqlite PATH BATCHES | postgres HOST PORT USER DB BATCHES")
}

/// The rows of batch `index`: unique ids, 1,000 units, one metric, a value, a time.
func batch(_ index: Int, size: Int) -> [(String, String, String, Double, String)] {
  (0..<size).map { offset in
    let n = index * size + offset
    return ("ceiling-\(n)", "U\(n % 1000)", "revenue", Double(n % 100) + 0.5, "2026-12-03 10:00:00.000")
  }
}

func report(_ driver: String, batches: Int, size: Int, seconds: Double) {
  let events = batches * size
  print(
    "{\"driver\": \"\(driver)\", \"batches\": \(batches), \"batch_size\": \(size), \"events\": \(events), "
      + "\"seconds\": \(seconds), \"events_per_second\": \(Double(events) / seconds)}")
}

/// Runs a statement and reads its (empty) result.
func run(_ connection: PostgresConnection, _ sql: String) async throws {
  var logger = Logger(label: "ceiling")
  logger.logLevel = .critical
  let rows: PostgresRowSequence = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
  for try await _ in rows {}
}

switch arguments[1] {
case "sqlite":
  guard let batches = Int(arguments[3]) else { fail("BATCHES must be a whole number") }
  let size = arguments.count > 4 ? Int(arguments[4]) ?? 100 : 100
  var configuration = Configuration()
  // The settings of `strata serve`'s writer connection (SQLiteStore): every commit synced, a 64 MiB page cache, a
  // checkpoint every 10,000 pages of WAL.
  configuration.prepareDatabase { db in
    try db.execute(sql: "PRAGMA synchronous = FULL")
    try db.execute(sql: "PRAGMA cache_size = -65536")
    try db.execute(sql: "PRAGMA wal_autocheckpoint = 10000")
  }
  let pool = try DatabasePool(path: arguments[2], configuration: configuration)
  let start = Date()
  for index in 0..<batches {
    let rows = batch(index, size: size)
    try pool.write { db in
      let insert = try db.cachedStatement(
        sql: """
          INSERT INTO events (event_id, unit_id, metric, value, occurred_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (event_id) DO NOTHING
          """)
      for row in rows { try insert.execute(arguments: [row.0, row.1, row.2, row.3, row.4]) }
    }
  }
  report("GRDB (SQLite)", batches: batches, size: size, seconds: Date().timeIntervalSince(start))
case "postgres":
  guard arguments.count >= 7, let port = Int(arguments[3]), let batches = Int(arguments[6]) else {
    fail("usage: ingest-ceiling postgres HOST PORT USER DATABASE BATCHES [BATCH_SIZE]")
  }
  let size = arguments.count > 7 ? Int(arguments[7]) ?? 100 : 100
  var logger = Logger(label: "ceiling")
  logger.logLevel = .critical
  let connection = try await PostgresConnection.connect(
    configuration: PostgresConnection.Configuration(
      host: arguments[2], port: port, username: arguments[4], password: nil, database: arguments[5], tls: .disable),
    id: 1, logger: logger)
  let start = Date()
  for index in 0..<batches {
    let rows = batch(index, size: size)
    let ids = rows.map(\.0)
    let units = rows.map(\.1)
    let metrics = rows.map(\.2)
    let values = rows.map(\.3)
    let times = rows.map(\.4)
    try await run(connection, "BEGIN")
    let insert: PostgresQuery = """
      INSERT INTO events (event_id, unit_id, metric, value, occurred_at)
      SELECT i, u, m, v, t::timestamp
      FROM unnest(\(ids)::text[], \(units)::text[], \(metrics)::text[], \(values)::float8[], \(times)::text[])
        AS x(i, u, m, v, t)
      ON CONFLICT (event_id) DO NOTHING RETURNING event_id
      """
    let inserted: PostgresRowSequence = try await connection.query(insert, logger: logger)
    for try await _ in inserted {}
    try await run(connection, "COMMIT")
  }
  report("postgres-nio (PostgreSQL)", batches: batches, size: size, seconds: Date().timeIntervalSince(start))
  try? await connection.closeGracefully()
default:
  fail("the first argument is sqlite or postgres")
}
