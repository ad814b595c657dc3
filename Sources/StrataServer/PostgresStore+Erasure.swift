import PostgresNIO

extension PostgresStore {
  /// ``ConsentStore/erase(_:)``, as in SQLite (under the audit lock, so the chain stays one).
  public func erase(_ erasure: Erasure) async throws -> ErasureOutcome {
    let logger = self.logger
    // Its writes to exposures and events are the service's own (not counted in ``LiveTotalsCoverage/outsideWrites``).
    return try await withTransaction(first: "set_config('strata.service', 'on', true)") { connection in
      var exposures: [ErasedExposure] = []
      let unit = erasure.unit
      var experiments: [String] = []
      for try await experiment in try await connection.query(
        "SELECT DISTINCT experiment_id FROM definitions ORDER BY experiment_id", logger: logger
      ).decode(String.self) {
        experiments.append(experiment)
      }
      // Every experiment's live lock first, in id order (as ingestion takes them).
      for experiment in experiments.sorted() {
        try await PostgresStore.lockLive(connection, experiment: experiment, logger: logger)
      }
      try await PostgresStore.removeLiveUnit(connection, unit: unit, plans: erasure.plans, logger: logger)
      for experiment in experiments {
        var variants: [String] = []
        var counted: [LiveExposureKey: (exposures: Int, repeats: Int)] = [:]
        for try await (variant, repeats) in try await connection.query(
          """
          DELETE FROM exposures WHERE experiment_id = \(experiment) AND unit_id = \(unit) RETURNING variant, repeats
          """, logger: logger
        ).decode((String, Int).self) {
          variants.append(variant)
          counted[LiveExposureKey(experiment: experiment, variant: variant)] = (-1, -repeats)
        }
        try await PostgresStore.count(connection, counted, logger: logger)
        for variant in variants.sorted() {
          exposures.append(ErasedExposure(experiment: experiment, variant: variant))
          try await connection.query(
            """
            INSERT INTO erased_exposures (experiment_id, variant, units) VALUES (\(experiment), \(variant), 1)
            ON CONFLICT (experiment_id, variant) DO UPDATE SET units = erased_exposures.units + 1
            """, logger: logger)
        }
      }
      var exposureIDs = 0
      for try await _ in try await connection.query(
        "DELETE FROM exposure_ids WHERE unit_id = \(unit) RETURNING 1", logger: logger
      ).decode(Int.self) {
        exposureIDs += 1
      }
      var counts: [String: Int] = [:]
      for try await metric in try await connection.query(
        "DELETE FROM events WHERE unit_id = \(unit) RETURNING metric", logger: logger
      ).decode(String.self) {
        counts[metric, default: 0] += 1
      }
      let events = counts.sorted { $0.key < $1.key }.map { ErasedEvents(metric: $0.key, count: $0.value) }
      let record = try await PostgresStore.appendAudit(connection, logger: logger) {
        erasure.record(after: $0, exposures: exposures, events: events, exposureIDs: exposureIDs)
      }
      return ErasureOutcome(exposures: exposures, events: events, exposureIDs: exposureIDs, record: record)
    }
  }

  /// ``ConsentStore/erasedExposures()``.
  public func erasedExposures() async throws -> [String: [String: Int]] {
    var counts: [String: [String: Int]] = [:]
    for (experiment, variant, units) in try await self.rows(
      "SELECT experiment_id, variant, units FROM erased_exposures"
    ).decode((String, String, Int).self) {
      counts[experiment, default: [:]][variant] = units
    }
    return counts
  }
}
