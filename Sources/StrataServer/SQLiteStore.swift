import Foundation
import GRDB
import Synchronization

/// The embedded store: one SQLite file in WAL mode (readers never wait for the writer), through GRDB.
public final class SQLiteStore: ServiceStore {
  public var backend: String { "sqlite" }
  let pool: DatabasePool
  /// The running totals' rows the writer keeps across ingestion transactions (``LiveCache``): nil while a transaction
  /// holds it, and after one that did not commit.
  let liveCache = Mutex<LiveCache?>(nil)

  /// The writer connection's page cache, as `PRAGMA cache_size` takes it: negative, in KiB (64 MiB).
  static let writerCacheKiB = -65_536

  /// The WAL's length, in pages, at which a commit copies it back into the database (SQLite's default is 1,000).
  ///
  /// Each checkpoint copies every page written since the last one, once, however many transactions wrote it: an
  /// ingestion transaction rewrites a few hundred pages of the events' indexes and of the running totals, most of them
  /// written again by the next transactions, so a longer WAL copies each such page once for many transactions.
  static let checkpointPages = 10_000

  /// Opens (or creates) the database file.
  public init(path: String) throws {
    var configuration = Configuration()
    configuration.busyMode = .timeout(5)
    // A 2xx means committed: every commit reaches the disk (group commit pays one sync for many batches).
    configuration.prepareDatabase { db in
      try db.execute(sql: "PRAGMA synchronous = FULL")
      // The writer's page cache: SQLite's default 2 MB holds a small part of the events' indexes, which every
      // transaction updates at its units' places, so most writes read their pages back from the OS first. Readers
      // (results, dashboard) read the few rows of the running totals and keep the default.
      if !db.configuration.readonly {
        try db.execute(sql: "PRAGMA cache_size = \(SQLiteStore.writerCacheKiB)")
        try db.execute(sql: "PRAGMA wal_autocheckpoint = \(SQLiteStore.checkpointPages)")
      }
    }
    pool = try SQLiteOpenError.opening(path) { try DatabasePool(path: path, configuration: configuration) }
  }

  /// The migrations, in order.
  ///
  /// Never edit a released one: add the next.
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    for (version, statements) in StoreSchema.sqlite.enumerated() {
      migrator.registerMigration("v\(version + 1)") { db in
        for statement in statements { try db.execute(sql: statement) }
        try db.execute(
          sql: "INSERT INTO strata_schema (version, applied_at) VALUES (?, ?)",
          arguments: [version + 1, timestamp()])
      }
    }
    return migrator
  }

  public func migrate() async throws -> Int {
    try SQLiteStore.migrator.migrate(pool)
    return try await pool.read { db in try Int.fetchOne(db, sql: "SELECT max(version) FROM strata_schema") ?? 0 }
  }

  public func keys() async throws -> [APIKey] {
    try await pool.read { db in
      try Row.fetchAll(db, sql: "SELECT name, role, sha256, created, expose FROM api_keys ORDER BY name").compactMap {
        row in
        guard let role = APIKeyRole(rawValue: row["role"]) else { return nil }
        return APIKey(
          name: row["name"], role: role, sha256: row["sha256"], created: row["created"], expose: row["expose"])
      }
    }
  }

  public func replaceKeys(_ keys: [APIKey]) async throws {
    try await pool.write { db in
      try db.execute(sql: "DELETE FROM api_keys")
      for key in keys {
        try db.execute(
          sql: "INSERT INTO api_keys (name, role, sha256, created, expose) VALUES (?, ?, ?, ?, ?)",
          arguments: [key.name, key.role.rawValue, key.sha256, key.created, key.expose])
      }
    }
  }

  public func recordCatalog(_ catalog: Catalog) async throws {
    let now = timestamp(catalog.loadedAt)
    try await pool.write { db in
      for entry in catalog.entries {
        try db.execute(
          sql: """
            INSERT INTO definitions (experiment_id, definition_hash, file, yaml, first_served_at)
            VALUES (?, ?, ?, ?, ?) ON CONFLICT (experiment_id, definition_hash) DO NOTHING
            """,
          arguments: [entry.experiment.id, entry.definitionHash, entry.file, entry.yaml, now])
      }
      try db.execute(
        sql: """
          INSERT INTO catalog_versions (etag, experiments, first_served_at) VALUES (?, ?, ?)
          ON CONFLICT (etag) DO NOTHING
          """,
        arguments: [catalog.etag, catalog.entries.count, now])
    }
  }

  public func definition(experiment: String, hash: String) async throws -> String? {
    try await pool.read { db in
      try String.fetchOne(
        db, sql: "SELECT yaml FROM definitions WHERE experiment_id = ? AND definition_hash = ?",
        arguments: [experiment, hash])
    }
  }

  public func ping() async throws {
    _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
  }

  public func close() async throws {
    try pool.close()
  }
}
