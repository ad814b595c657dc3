import GRDB

extension SQLiteStore {
  /// ``ConsentStore/erase(_:)``: one transaction removes the unit's exposures (looked up by each experiment
  /// ever served, the primary key's prefix), exposure ids and events, adds the removed exposures to `erased_exposures`, and appends
  /// the audit record.
  public func erase(_ erasure: Erasure) async throws -> ErasureOutcome {
    try await serviceWrite { db in
      var exposures: [ErasedExposure] = []
      // Every exposure's experiment was served, so it is in `definitions` (a small table).
      let experiments = try String.fetchAll(
        db, sql: "SELECT DISTINCT experiment_id FROM definitions ORDER BY experiment_id")
      for experiment in experiments {
        let rows = try Row.fetchAll(
          db, sql: "SELECT variant, repeats FROM exposures WHERE experiment_id = ? AND unit_id = ? ORDER BY variant",
          arguments: [experiment, erasure.unit])
        guard !rows.isEmpty else { continue }
        let variants = rows.map { $0["variant"] as String }
        try SQLiteStore.count(
          db,
          Dictionary(
            uniqueKeysWithValues: rows.map {
              (
                LiveExposureKey(experiment: experiment, variant: $0["variant"]),
                (exposures: -1, repeats: -($0["repeats"] as Int))
              )
            }))
        try db.execute(
          sql: "DELETE FROM exposures WHERE experiment_id = ? AND unit_id = ?", arguments: [experiment, erasure.unit])
        for variant in variants {
          exposures.append(ErasedExposure(experiment: experiment, variant: variant))
          try db.execute(
            sql: """
              INSERT INTO erased_exposures (experiment_id, variant, units) VALUES (?, ?, 1)
              ON CONFLICT (experiment_id, variant) DO UPDATE SET units = erased_exposures.units + 1
              """,
            arguments: [experiment, variant])
        }
      }
      try SQLiteStore.removeLiveUnit(db, unit: erasure.unit, plans: erasure.plans)
      try db.execute(sql: "DELETE FROM exposure_ids WHERE unit_id = ?", arguments: [erasure.unit])
      let exposureIDs = db.changesCount
      let events = try Row.fetchAll(
        db, sql: "SELECT metric, count(*) AS n FROM events WHERE unit_id = ? GROUP BY metric ORDER BY metric",
        arguments: [erasure.unit]
      ).map { ErasedEvents(metric: $0["metric"], count: $0["n"]) }
      try db.execute(sql: "DELETE FROM events WHERE unit_id = ?", arguments: [erasure.unit])
      let record = try SQLiteStore.appendAudit(db) {
        erasure.record(after: $0, exposures: exposures, events: events, exposureIDs: exposureIDs)
      }
      return ErasureOutcome(exposures: exposures, events: events, exposureIDs: exposureIDs, record: record)
    }
  }

  /// ``ConsentStore/erasedExposures()``.
  public func erasedExposures() async throws -> [String: [String: Int]] {
    try await pool.read { db in
      var counts: [String: [String: Int]] = [:]
      for row in try Row.fetchAll(db, sql: "SELECT experiment_id, variant, units FROM erased_exposures") {
        counts[row["experiment_id"], default: [:]][row["variant"]] = row["units"]
      }
      return counts
    }
  }
}
