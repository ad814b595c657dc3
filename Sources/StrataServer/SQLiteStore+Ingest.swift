import GRDB

extension SQLiteStore {
  /// The upsert that keeps one row per (experiment, unit, variant): the earliest exposure (ties: the lower segment,
  /// as the results query breaks them) and the count of later ones.
  static let exposureUpsert = """
    INSERT INTO exposures (unit_id, experiment_id, variant, segment, exposed_at, definition_hash, repeats)
    VALUES (?, ?, ?, ?, ?, ?, 0)
    ON CONFLICT (experiment_id, unit_id, variant) DO UPDATE SET
      repeats = exposures.repeats + 1,
      segment = CASE WHEN (excluded.exposed_at, excluded.segment) < (exposures.exposed_at, exposures.segment)
        THEN excluded.segment ELSE exposures.segment END,
      definition_hash = CASE WHEN (excluded.exposed_at, excluded.segment) < (exposures.exposed_at, exposures.segment)
        THEN excluded.definition_hash ELSE exposures.definition_hash END,
      exposed_at = min(excluded.exposed_at, exposures.exposed_at)
    RETURNING repeats
    """

  public func ingest(_ batches: [IngestBatch], plans: LivePlans, consent: ConsentCheck) async throws
    -> [IngestOutcome]
  {
    try await pool.write { db in
      // The writer's copy of the running totals' rows, if still in step with the database (``LiveCache``); taken
      // out, and put back only when this transaction commits.
      // (Taken, not copied: a second reference would make the first change of each of its dictionaries copy it.)
      let stamp = try LiveCache.stamp(db)
      var live = self.liveCache.withLock { $0.take() } ?? LiveCache(stamp: stamp)
      if live.stamp != stamp || live.isFull { live = LiveCache(stamp: stamp) }
      // As ``serviceWrite(_:)``: these writes to exposures and events are not made behind the service's back.
      try db.cachedStatement(sql: "UPDATE live_marks SET service = 1 WHERE id = 1").execute()
      // Consent is read in the write transaction: a withdrawal committed before it refuses the unit's rows.
      let (kept, refused, counts) = IngestBatch.refusing(try SQLiteStore.withdrawn(db, consent), in: batches)
      try SQLiteStore.countRefused(db, counts)
      let (unique, repeated) = IngestBatch.firstOfEachID(kept)
      var outcomes: [IngestOutcome] = []
      outcomes.reserveCapacity(unique.count)
      // Per (experiment, variant): new rows and repeats (an upsert returning 0 repeats inserted its row).
      var counted: [LiveExposureKey: (exposures: Int, repeats: Int)] = [:]
      // The new events per unit, and the units whose exposures changed (those are recomputed from their rows).
      var events: [String: [LivePlan.NewEvent]] = [:]
      var exposed: Set<LiveTouch> = []
      for (index, (batch, skipped)) in zip(unique, repeated).enumerated() {
        var stored = 0
        switch batch {
        case .exposures(let rows):
          let ids = try db.cachedStatement(
            sql: "INSERT INTO exposure_ids (id, experiment_id, unit_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
          let upsert = try db.cachedStatement(sql: SQLiteStore.exposureUpsert)
          for row in rows {
            if let id = row.id {
              try ids.execute(arguments: [id, row.experiment, row.unit])
              guard db.changesCount > 0 else { continue }
            }
            let repeats =
              try Int.fetchOne(
                upsert,
                arguments: [row.unit, row.experiment, row.variant, row.segment, row.time.text, row.definitionHash])
              ?? 0
            counted[LiveExposureKey(experiment: row.experiment, variant: row.variant), default: (0, 0)].exposures +=
              repeats == 0 ? 1 : 0
            counted[LiveExposureKey(experiment: row.experiment, variant: row.variant), default: (0, 0)].repeats +=
              repeats == 0 ? 0 : 1
            exposed.insert(LiveTouch(experiment: row.experiment, unit: row.unit))
            stored += 1
          }
        case .events(let rows):
          let insert = try db.cachedStatement(
            sql: """
              INSERT INTO events (event_id, unit_id, metric, value, occurred_at) VALUES (?, ?, ?, ?, ?)
              ON CONFLICT (event_id) DO NOTHING
              """)
          for row in rows {
            try insert.execute(arguments: [row.id, row.unit, row.metric, row.value, row.time.text])
            guard db.changesCount > 0 else { continue }
            events[row.unit, default: []].append(
              LivePlan.NewEvent(metric: row.metric, value: row.value, time: row.time))
            stored += 1
          }
        }
        outcomes.append(
          IngestOutcome(stored: stored, duplicates: batch.count - stored + skipped, refused: refused[index]))
      }
      try SQLiteStore.count(db, counted)
      // A newly exposed unit's experiments are read again.
      for touch in exposed { live.experiments[touch.unit] = nil }
      let touched = exposed.union(try SQLiteStore.touchedByEvents(db, events, plans: plans, cache: &live))
      try SQLiteStore.maintain(db, touched: touched, plans: plans, events: events, exposed: exposed, cache: &live)
      try db.cachedStatement(sql: "UPDATE live_marks SET service = 0 WHERE id = 1").execute()
      let committed = live
      db.afterNextTransaction(onCommit: { db in
        var next = committed
        next.stamp = LiveCache.Stamp(dataVersion: stamp.dataVersion, totalChanges: db.totalChangesCount)
        self.liveCache.withLock { $0 = next }
      })
      return outcomes
    }
  }
}

extension SQLiteStore {
  /// The units of `consent` whose latest consent change withdrew consent; call inside the write transaction.
  static func withdrawn(_ db: Database, _ consent: ConsentCheck) throws -> Set<String> {
    guard !consent.isEmpty,
      try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM consent)")) == true
    else { return [] }
    let statement = try db.cachedStatement(sql: "SELECT 1 FROM consent WHERE unit = ? AND NOT granted")
    var units: Set<String> = []
    try consent.forEachHash { unit, hash in
      if try Int.fetchOne(statement, arguments: [hash]) != nil { units.insert(unit) }
    }
    return units
  }

  /// Adds to the refused-item counts; call inside a write transaction.
  static func countRefused(_ db: Database, _ counts: [RefusedItemCount]) throws {
    for item in counts {
      try db.execute(
        sql: """
          INSERT INTO consent_refused_items (kind, subject, count) VALUES (?, ?, ?)
          ON CONFLICT (kind, subject) DO UPDATE SET count = consent_refused_items.count + excluded.count
          """,
        arguments: [item.kind, item.subject, item.count])
    }
  }
}
