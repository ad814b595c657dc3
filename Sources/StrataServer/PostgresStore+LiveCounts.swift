import Logging
import PostgresNIO

/// The live totals' lock, the stored exposure counts, and the totals' check at start, on PostgreSQL.
extension PostgresStore {
  /// As ``SQLiteStore/prepareLiveTotals(_:)``.
  func prepareLiveTotals(_ plans: LivePlans) async throws -> [String] {
    var built: [String] = []
    let logger = self.logger
    for (experiment, plan) in plans.byExperiment.sorted(by: { $0.key < $1.key }) {
      let rebuilt = try await client.withTransaction(logger: logger) { connection -> Bool in
        try await connection.query(
          "SELECT pg_advisory_xact_lock(hashtext(\("strata-live:" + experiment)))", logger: logger)
        if let totals = try await PostgresStore.loadTotals(connection, experiment: experiment, logger: logger),
          totals.key == plan.key
        {
          var counts: (Int, Int) = (0, 0)
          for try await row in try await connection.query(
            """
            SELECT (SELECT count(DISTINCT unit_id) FROM exposures WHERE experiment_id = \(experiment)),
              (SELECT count(*) FROM live_units WHERE experiment_id = \(experiment))
            """, logger: logger
          ).decode((Int, Int).self) {
            counts = row
          }
          if counts.0 == counts.1 { return false }
        }
        try await PostgresStore.rebuild(connection, plan: plan, logger: logger)
        return true
      }
      if rebuilt { built.append(experiment) }
    }
    return built
  }

  /// Takes the transaction's lock on an experiment's totals and counts (re-entrant within the transaction).
  static func lockLive(_ connection: PostgresConnection, experiment: String, logger: Logger) async throws {
    try await connection.query(
      "SELECT pg_advisory_xact_lock(hashtext(\("strata-live:" + experiment)))", logger: logger)
  }

  /// Adds to the stored exposures and repeats per (experiment, variant); the experiments' locks are held.
  static func count(
    _ connection: PostgresConnection, _ counts: [LiveExposureKey: (exposures: Int, repeats: Int)], logger: Logger
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
