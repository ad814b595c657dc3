import Logging
import PostgresNIO

extension PostgresStore {
  private struct ExposureKey: Hashable {
    var experiment: String
    var unit: String
    var variant: String
  }

  /// Writes the batches in one transaction of a few statements, whatever their number.
  ///
  /// First the consent gate (shared) and the consent of the batches' units, then the new exposure ids (those already
  /// stored are skipped), the exposures merged per (experiment, unit, variant) and upserted, the events with new
  /// ids. Rows travel as arrays (`unnest`), so a group costs a few round trips.
  public func ingest(_ batches: [IngestBatch], plans: LivePlans, consent: ConsentCheck) async throws
    -> [IngestOutcome]
  {
    let logger = self.logger
    // A consent change holds the gate exclusively until it commits, so this transaction reads every withdrawal
    // acknowledged before it, and a withdrawal waits for the transactions that read consent before it. Its writes to
    // exposures and events are the service's own (not counted as made behind its back).
    let first: PostgresQuery =
      "pg_advisory_xact_lock_shared(\(PostgresStore.consentGate)), set_config('strata.service', 'on', true)"
    let (newExposureIDs, newEventIDs, unique, repeated, refused) = try await withTransaction(first: first) {
      connection -> (Set<String>, Set<String>, [IngestBatch], [Int], [Int]) in
      let withdrawn = try await PostgresStore.withdrawn(connection, consent, logger: logger)
      let (kept, refused, counts) = IngestBatch.refusing(withdrawn, in: batches)
      try await PostgresStore.countRefused(connection, counts, logger: logger)
      let (unique, repeated) = IngestBatch.firstOfEachID(kept)
      var exposures: [ExposureRow] = []
      var events: [EventRow] = []
      for batch in unique {
        switch batch {
        case .exposures(let rows): exposures += rows
        case .events(let rows): events += rows
        }
      }
      var newExposureIDs: Set<String> = []
      let identified = exposures.filter { $0.id != nil }
      if !identified.isEmpty {
        let ids = identified.compactMap(\.id)
        let experiments = identified.map(\.experiment)
        let units = identified.map(\.unit)
        let rows = try await connection.query(
          """
          INSERT INTO exposure_ids (id, experiment_id, unit_id)
          SELECT * FROM unnest(\(ids)::text[], \(experiments)::text[], \(units)::text[])
          ON CONFLICT DO NOTHING RETURNING id
          """, logger: logger)
        for try await id in rows.decode(String.self) { newExposureIDs.insert(id) }
      }
      var merged: [ExposureKey: (row: ExposureRow, count: Int)] = [:]
      for row in exposures where row.id.map(newExposureIDs.contains) ?? true {
        let key = ExposureKey(experiment: row.experiment, unit: row.unit, variant: row.variant)
        if let (earlier, count) = merged[key] {
          let earliest = (row.time, row.segment) < (earlier.time, earlier.segment) ? row : earlier
          merged[key] = (earliest, count + 1)
        } else {
          merged[key] = (row, 1)
        }
      }
      var counted: [LiveExposureKey: (exposures: Int, repeats: Int)] = [:]
      if !merged.isEmpty {
        let rows = Array(merged.values)
        let units = rows.map(\.row.unit)
        let experiments = rows.map(\.row.experiment)
        let variants = rows.map(\.row.variant)
        let segments = rows.map(\.row.segment)
        let times = rows.map(\.row.time.text)
        let hashes = rows.map(\.row.definitionHash)
        let repeats = rows.map { $0.count - 1 }
        let stored = try await connection.query(
          """
          INSERT INTO exposures (unit_id, experiment_id, variant, segment, exposed_at, definition_hash, repeats)
          SELECT u, e, v, s, t::timestamp, d, r
          FROM unnest(\(units)::text[], \(experiments)::text[], \(variants)::text[], \(segments)::text[],
            \(times)::text[], \(hashes)::text[], \(repeats)::int8[]) AS x(u, e, v, s, t, d, r)
          ON CONFLICT (experiment_id, unit_id, variant) DO UPDATE SET
            repeats = exposures.repeats + excluded.repeats + 1,
            segment = CASE WHEN (excluded.exposed_at, excluded.segment) < (exposures.exposed_at, exposures.segment)
              THEN excluded.segment ELSE exposures.segment END,
            definition_hash = CASE
              WHEN (excluded.exposed_at, excluded.segment) < (exposures.exposed_at, exposures.segment)
              THEN excluded.definition_hash ELSE exposures.definition_hash END,
            exposed_at = LEAST(excluded.exposed_at, exposures.exposed_at)
          RETURNING experiment_id, unit_id, variant, (xmax = 0) AS inserted
          """, logger: logger)
        // A row inserted is a new exposure (its merged repeats are repeats); a row updated counts every item as one.
        for try await (experiment, unit, variant, inserted) in stored.decode((String, String, String, Bool).self) {
          let items = merged[ExposureKey(experiment: experiment, unit: unit, variant: variant)]?.count ?? 1
          let key = LiveExposureKey(experiment: experiment, variant: variant)
          counted[key, default: (0, 0)].exposures += inserted ? 1 : 0
          counted[key, default: (0, 0)].repeats += inserted ? items - 1 : items
        }
      }
      var newEventIDs: Set<String> = []
      if !events.isEmpty {
        let ids = events.map(\.id)
        let units = events.map(\.unit)
        let metrics = events.map(\.metric)
        let values = events.map(\.value)
        let times = events.map(\.time.text)
        let rows = try await connection.query(
          """
          INSERT INTO events (event_id, unit_id, metric, value, occurred_at)
          SELECT i, u, m, v, t::timestamp
          FROM unnest(\(ids)::text[], \(units)::text[], \(metrics)::text[], \(values)::float8[], \(times)::text[])
            AS x(i, u, m, v, t)
          ON CONFLICT (event_id) DO NOTHING RETURNING event_id
          """, logger: logger)
        for try await id in rows.decode(String.self) { newEventIDs.insert(id) }
      }
      // The live results' running totals, in the same transaction.
      // The units whose exposures changed are recomputed from their rows; the others from the new events alone.
      let exposed = Set(merged.values.map { LiveTouch(experiment: $0.row.experiment, unit: $0.row.unit) })
      var newEvents: [String: [LivePlan.NewEvent]] = [:]
      for event in events where newEventIDs.contains(event.id) {
        newEvents[event.unit, default: []].append(
          LivePlan.NewEvent(metric: event.metric, value: event.value, time: event.time))
      }
      let touched = exposed.union(
        try await PostgresStore.touchedByEvents(connection, newEvents, plans: plans, logger: logger))
      // Every experiment whose totals or counts change is locked first, in id order (no waiting in a cycle).
      for experiment in Set(touched.map(\.experiment)).sorted() {
        try await PostgresStore.lockLive(connection, experiment: experiment, logger: logger)
      }
      try await PostgresStore.count(connection, counted, logger: logger)
      try await PostgresStore.maintain(
        connection, touched: touched, plans: plans, events: newEvents, exposed: exposed, logger: logger)
      return (newExposureIDs, newEventIDs, unique, repeated, refused)
    }
    return zip(zip(unique, repeated), refused).map { pair, refused in
      let (batch, skipped) = pair
      let stored: Int
      switch batch {
      case .exposures(let rows): stored = rows.count { $0.id.map(newExposureIDs.contains) ?? true }
      case .events(let rows): stored = rows.count { newEventIDs.contains($0.id) }
      }
      return IngestOutcome(stored: stored, duplicates: batch.count - stored + skipped, refused: refused)
    }
  }
}

extension PostgresStore {
  /// Taken shared by every ingestion transaction and exclusively by every consent change (``recordConsent(_:)``),
  /// so a row is never stored for a unit after its withdrawal committed, by any server sharing the database.
  static let consentGate: Int64 = 0x5354_5241_4347  // "STRACG"

  /// The units of `consent` whose latest consent change withdrew consent; call inside the transaction, after the
  /// consent gate.
  static func withdrawn(_ connection: StoreConnection, _ consent: ConsentCheck, logger: Logger) async throws
    -> Set<String>
  {
    guard !consent.isEmpty else { return [] }
    var unitsByHash: [String: String] = [:]
    for (unit, hash) in consent.hashes { unitsByHash[hash] = unit }
    let hashes = Array(unitsByHash.keys)
    var units: Set<String> = []
    for try await hash in try await connection.query(
      "SELECT unit FROM consent WHERE unit = ANY(\(hashes)::text[]) AND NOT granted", logger: logger
    ).decode(String.self) {
      if let unit = unitsByHash[hash] { units.insert(unit) }
    }
    return units
  }

  /// Adds to the refused-item counts; call inside a transaction.
  static func countRefused(_ connection: StoreConnection, _ counts: [RefusedItemCount], logger: Logger)
    async throws
  {
    for item in counts {
      try await connection.query(
        """
        INSERT INTO consent_refused_items (kind, subject, count) VALUES (\(item.kind), \(item.subject), \(item.count))
        ON CONFLICT (kind, subject) DO UPDATE SET count = consent_refused_items.count + excluded.count
        """, logger: logger)
    }
  }
}
