import Foundation
import GRDB
import Logging
import StrataAnalysis

/// `strata looks list|drop --database URL --experiment ID`: the planned looks `strata serve` recorded
/// (`POST /v1/experiments/{id}/looks`), read and corrected in its database as `strata looks` reads and corrects a
/// look log file.
///
/// Nothing is migrated. Listing only reads; dropping marks the latest look's current record `dropped` in one
/// transaction that checks it is still the latest (on PostgreSQL under the experiment's look lock, which the
/// service takes to record a look), so a look recorded meanwhile is never dropped by mistake.
public enum StoredLookLog {
  /// One experiment's looks, as a look log shows them.
  public struct Listing: Sendable {
    /// `sqlite:PATH` or the PostgreSQL URL without its password, and the experiment.
    public var location: String
    /// The current record of each look, by look number.
    public var looks: [LookRecord]
    /// Records a look log file would hold: the current ones and those they replaced (a dropped look's are gone).
    public var records: Int
    /// Per look, how many times it was replaced.
    public var replaced: [Int: Int]
  }

  /// What a drop did.
  public struct Dropped: Sendable {
    public var location: String
    public var record: LookRecord
    /// The latest look left, if any.
    public var latest: Int?
  }

  /// One row of the `looks` table.
  struct Row: Sendable {
    var look: Int
    var revision: Int
    var state: String
    var text: String
  }

  /// The looks of `experiment` stored at `location`.
  public static func list(_ location: StoreLocation, experiment: String, logger: Logger) async throws -> Listing {
    let name = describe(location, experiment: experiment)
    let rows: [Row]
    switch location {
    case .sqlite(let path):
      rows = try await withSQLite(path, writing: false) { db in
        try checkExperiment(try sqliteExperiments(db), experiment, location: location)
        return try sqliteRows(db, experiment: experiment)
      }
    case .postgresql(let postgres):
      rows = try await PostgresStore.oneShot(postgres, name: location.redacted, logger: logger) { store in
        try checkExperiment(try await store.lookExperiments(), experiment, location: location)
        return try await store.lookRows(experiment: experiment)
      }
    }
    return try listing(rows, location: name)
  }

  /// Drops look `look` of `experiment`, which must be its latest.
  public static func drop(_ location: StoreLocation, experiment: String, look: Int, logger: Logger) async throws
    -> Dropped
  {
    let name = describe(location, experiment: experiment)
    let rows: [Row]
    switch location {
    case .sqlite(let path):
      rows = try await withSQLite(path, writing: true) { db in
        try checkExperiment(try sqliteExperiments(db), experiment, location: location)
        let rows = try sqliteRows(db, experiment: experiment)
        try checkLatest(rows, look: look, location: name)
        try db.execute(
          sql: "UPDATE looks SET state = 'dropped' WHERE experiment_id = ? AND look = ? AND state = 'current'",
          arguments: [experiment, look])
        return rows
      }
    case .postgresql(let postgres):
      rows = try await PostgresStore.oneShot(postgres, name: location.redacted, logger: logger) { store in
        try checkExperiment(try await store.lookExperiments(), experiment, location: location)
        return try await store.dropLatestLook(experiment: experiment, look: look) { rows in
          try checkLatest(rows, look: look, location: name)
        }
      }
    }
    let before = try listing(rows, location: name)
    guard let record = before.looks.last else { throw StoredLookError(description: "\(name) holds no look to drop") }
    return Dropped(location: name, record: record, latest: before.looks.dropLast().last?.look)
  }

  static func describe(_ location: StoreLocation, experiment: String) -> String {
    "\(location.redacted) (experiment \(experiment))"
  }

  /// The listing of an experiment's rows.
  static func listing(_ rows: [Row], location: String) throws -> Listing {
    var dropped: [Int: Int] = [:]
    for row in rows where row.state == "dropped" { dropped[row.look] = max(dropped[row.look] ?? 0, row.revision) }
    let current = rows.filter { $0.state == "current" }.sorted { $0.look < $1.look }
    var replaced: [Int: Int] = [:]
    for row in rows where row.state == "replaced" && row.revision > dropped[row.look] ?? 0 {
      replaced[row.look, default: 0] += 1
    }
    let looks = try current.map { row in
      do {
        return try LookRecord.stored(row.text)
      } catch {
        throw StoredLookError(description: "\(location): look \(row.look) holds a record that cannot be read: \(error)")
      }
    }
    return Listing(
      location: location, looks: looks, records: looks.count + replaced.values.reduce(0, +), replaced: replaced)
  }

  /// Throws unless `look` is the latest current look of `rows`.
  static func checkLatest(_ rows: [Row], look: Int, location: String) throws {
    guard let latest = rows.filter({ $0.state == "current" }).map(\.look).max() else {
      throw StoredLookError(description: "\(location) holds no look to drop")
    }
    guard latest == look else {
      throw StoredLookError(
        description:
          "--look \(look) is not the latest look of \(location) (the latest is \(latest)); only the latest look can be dropped"
      )
    }
  }

  /// Throws unless the database served `experiment` or holds looks of it, naming those it has.
  static func checkExperiment(_ known: [String], _ experiment: String, location: StoreLocation) throws {
    guard !known.contains(experiment) else { return }
    throw StoredLookError(
      description: known.isEmpty
        ? "\(location.redacted) has served no experiment yet, so it holds no looks"
        : "\(location.redacted) has no experiment \"\(experiment)\" (it has \(known.joined(separator: ", ")))")
  }

  /// Opens an SQLite database `strata serve` made (never creating one; it may be in use by a running service) and
  /// runs `body` in a read or write transaction.
  static func withSQLite<T: Sendable>(
    _ path: String, writing: Bool, _ body: @escaping @Sendable (Database) throws -> T
  ) async throws -> T {
    guard FileManager.default.fileExists(atPath: path) else {
      throw StoredLookError(description: "\(path): no such database file")
    }
    // A plain connection (read-only to list): a connection pool would write to the file to set up its
    // write-ahead log, and listing must leave the file as it is.
    var configuration = Configuration()
    configuration.readonly = !writing
    configuration.busyMode = .timeout(5)
    let queue = try SQLiteOpenError.opening(path) { try DatabaseQueue(path: path, configuration: configuration) }
    defer { try? queue.close() }
    let checked: @Sendable (Database) throws -> T = { db in
      guard try db.tableExists("looks") && db.tableExists("definitions") else {
        throw StoredLookError(description: "\(path): not a strata serve database (it has no looks table)")
      }
      return try body(db)
    }
    return writing ? try await queue.write(checked) : try await queue.read(checked)
  }

  static func sqliteExperiments(_ db: Database) throws -> [String] {
    try String.fetchAll(
      db, sql: "SELECT experiment_id FROM definitions UNION SELECT experiment_id FROM looks ORDER BY 1")
  }

  static func sqliteRows(_ db: Database, experiment: String) throws -> [Row] {
    try GRDB.Row.fetchAll(
      db, sql: "SELECT look, revision, state, record FROM looks WHERE experiment_id = ? ORDER BY look, revision",
      arguments: [experiment]
    ).map { row in Row(look: row["look"], revision: row["revision"], state: row["state"], text: row["record"]) }
  }
}

/// A database that cannot be read as a look store, or a look that cannot be dropped.
public struct StoredLookError: Error, CustomStringConvertible, Sendable {
  public var description: String
}
