import Logging
import PostgresNIO

/// The live totals' lock, the stored exposure counts, and the totals' check at start, on PostgreSQL.
extension PostgresStore {
  func liveTotalsCoverage() async throws -> LiveTotalsCoverage {
    var experiments: [String: LiveTotalsCoverage.Experiment] = [:]
    for (experiment, key, building) in try await self.rows(
      "SELECT experiment_id, plan_key, building FROM live_experiments"
    ).decode((String, String, Int).self) {
      experiments[experiment] = .init(key: key, complete: building == 0)
    }
    var marks = (0, -1)
    for row in try await self.rows(
      "SELECT outside_writes, checked FROM live_marks WHERE id = 1"
    ).decode((Int, Int).self) {
      marks = row
    }
    return LiveTotalsCoverage(experiments: experiments, outsideWrites: marks.0, checked: marks.1)
  }

  func liveTotalsInStep(experiment: String) async throws -> Bool {
    var counts: (Int, Int) = (0, 0)
    for row in try await self.rows(
      """
      SELECT (SELECT count(DISTINCT unit_id) FROM exposures WHERE experiment_id = \(experiment)),
        (SELECT count(*) FROM live_units WHERE experiment_id = \(experiment))
      """
    ).decode((Int, Int).self) {
      counts = row
    }
    return counts.0 == counts.1
  }

  func buildLiveTotals(_ plan: LivePlan, units: Int, restart: Bool, recount: Bool) async throws -> Bool {
    let logger = self.logger
    // The experiment's lock first, in the transaction's first statement.
    return try await withTransaction(first: PostgresStore.liveLock(experiment: plan.experiment)) { connection in
      try await PostgresStore.buildStep(
        connection, plan: plan, units: units, restart: restart, recount: recount, logger: logger)
    }
  }

  func markLiveTotalsChecked(outsideWrites: Int) async throws {
    try await self.rows("UPDATE live_marks SET checked = \(outsideWrites) WHERE id = 1")
  }

  /// The select-list item that takes the transaction's lock on an experiment's totals and counts (re-entrant within
  /// the transaction): the one spelling of its key, `hashtext('strata-live:' || experiment)`, for every statement that
  /// takes it (a build step's first statement, ``lockLive(_:experiment:logger:)``), so that no two can drift apart and
  /// stop excluding each other.
  static func liveLock(experiment: String) -> PostgresQuery {
    "pg_advisory_xact_lock(hashtext(\("strata-live:" + experiment)))"
  }

  /// Takes the transaction's lock on an experiment's totals and counts (``liveLock(experiment:)``).
  static func lockLive(_ connection: StoreConnection, experiment: String, logger: Logger) async throws {
    let lock = liveLock(experiment: experiment)
    try await connection.query(PostgresQuery(unsafeSQL: "SELECT " + lock.sql, binds: lock.binds), logger: logger)
  }

  /// Adds to the stored exposures and repeats per (experiment, variant); the experiments' locks are held.
  static func count(
    _ connection: StoreConnection, _ counts: [LiveExposureKey: (exposures: Int, repeats: Int)], logger: Logger
  ) async throws {
    guard !counts.isEmpty else { return }
    let keys = Array(counts.keys)
    let experiments = keys.map(\.experiment)
    let variants = keys.map(\.variant)
    let exposures = keys.map { counts[$0]?.exposures ?? 0 }
    let repeats = keys.map { counts[$0]?.repeats ?? 0 }
    try await connection.query(
      """
      INSERT INTO live_exposures (experiment_id, variant, exposures, repeats)
      SELECT * FROM unnest(\(experiments)::text[], \(variants)::text[], \(exposures)::int8[], \(repeats)::int8[])
      ON CONFLICT (experiment_id, variant) DO UPDATE SET exposures = live_exposures.exposures + excluded.exposures,
        repeats = live_exposures.repeats + excluded.repeats
      """, logger: logger)
  }
}
