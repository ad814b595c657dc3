import Logging
import PostgresNIO

/// ``StoredLookLog`` on PostgreSQL: a short-lived connection for one command.
extension PostgresStore {
  /// Runs `body` with the client running, and gives up after 30 s; PostgreSQL errors become readable sentences.
  static func oneShot<T: Sendable>(
    _ location: PostgresLocation, name: String, logger: Logger,
    _ body: @escaping @Sendable (PostgresStore) async throws -> T
  ) async throws -> T {
    let atStartup = try await PostgresStore.checkConnection(
      location, idleLimit: PostgresStore.defaultTransactionIdleLimit, logger: logger)
    let store = try PostgresStore.oneShotStore(location, logger: logger, idleLimitAtStartup: atStartup)
    do {
      return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
          await store.client.run()
          return nil
        }
        group.addTask {
          try await Task.sleep(for: PostgresStore.oneShotWait)
          throw StoredLookError(description: "\(name): the database did not answer within 30 s")
        }
        group.addTask { try await body(store) }
        defer { group.cancelAll() }
        while let result = try await group.next() {
          if let value = result { return value }
        }
        throw StoredLookError(description: "\(name): the connection closed")
      }
    } catch let error as PSQLError {
      throw StoredLookError(description: "\(name): \(PostgresStore.explain(error))")
    }
  }

  /// Experiments served or with looks; throws when the database has no looks table.
  func lookExperiments() async throws -> [String] {
    var exists = false
    for found in try await self.rows(
      "SELECT to_regclass('looks') IS NOT NULL AND to_regclass('definitions') IS NOT NULL"
    ).decode(Bool.self) {
      exists = found
    }
    guard exists else {
      throw StoredLookError(description: "not a strata serve database (it has no looks table)")
    }
    var experiments: [String] = []
    for experiment in try await self.rows(
      "SELECT experiment_id FROM definitions UNION SELECT experiment_id FROM looks ORDER BY 1"
    ).decode(String.self) {
      experiments.append(experiment)
    }
    return experiments
  }

  /// Every record of an experiment's looks.
  func lookRows(experiment: String) async throws -> [StoredLookLog.Row] {
    let logger = self.logger
    return try await withConnection { connection in
      try await PostgresStore.lookRows(connection, experiment: experiment, logger: logger)
    }
  }

  private static func lookRows(_ connection: StoreConnection, experiment: String, logger: Logger) async throws
    -> [StoredLookLog.Row]
  {
    var rows: [StoredLookLog.Row] = []
    for try await (look, revision, state, text) in try await connection.query(
      """
      SELECT look::int8, revision::int8, state, record FROM looks WHERE experiment_id = \(experiment)
      ORDER BY look, revision
      """, logger: logger
    ).decode((Int, Int, String, String).self) {
      rows.append(StoredLookLog.Row(look: look, revision: revision, state: state, text: text))
    }
    return rows
  }

  /// Marks look `look` dropped after `check` accepted the experiment's rows (read under the experiment's look lock,
  /// which the service takes to record a look); returns the rows as they were before.
  func dropLatestLook(
    experiment: String, look: Int, check: @escaping @Sendable ([StoredLookLog.Row]) throws -> Void
  ) async throws -> [StoredLookLog.Row] {
    let logger = self.logger
    return try await withTransaction(first: "pg_advisory_xact_lock(hashtext(\(experiment)))") { connection in
      let rows = try await PostgresStore.lookRows(connection, experiment: experiment, logger: logger)
      try check(rows)
      try await connection.query(
        """
        UPDATE looks SET state = 'dropped' WHERE experiment_id = \(experiment) AND look = \(look)
          AND state = 'current'
        """, logger: logger)
      return rows
    }
  }
}
