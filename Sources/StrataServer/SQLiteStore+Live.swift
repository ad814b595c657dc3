import Foundation
import GRDB
import StrataWarehouse

/// The running cell totals (``LiveTotals``) on SQLite: kept in the ingestion and erasure transactions, read by the
/// results.
extension SQLiteStore {
  /// Recomputes the units touched by a transaction and moves their contributions between cells.
  ///
  /// `touched`: (experiment, unit) pairs whose exposures or events changed. Nothing is built here: totals missing or
  /// made under another plan are left for the build (``buildLiveTotals(_:units:restart:recount:)``, off the request
  /// path), and totals being built keep only the units they already hold. Units touched by `events` alone (not in
  /// `exposed`) are updated from their stored memos and the new events, many per statement
  /// (``advance(_:units:plan:events:totals:)``), when they can be; the others are recomputed from their rows.
  ///
  /// `cache`: the writer's copy of the rows read and written here (``LiveCache``), kept in step with what this writes.
  static func maintain(
    _ db: Database, touched: Set<LiveTouch>, plans: LivePlans, events: [String: [LivePlan.NewEvent]] = [:],
    exposed: Set<LiveTouch> = [], cache: inout LiveCache
  ) throws {
    let byExperiment = Dictionary(grouping: touched, by: \.experiment)
    for (experiment, touches) in byExperiment.sorted(by: { $0.key < $1.key }) {
      guard let plan = plans.byExperiment[experiment] else {
        // No plan to keep them by (not in the catalog, or unanalysable): drop them; the build makes them again.
        try db.execute(sql: "DELETE FROM live_experiments WHERE experiment_id = ?", arguments: [experiment])
        cache.totals[experiment] = nil
        continue
      }
      guard var totals = try cache.totals[experiment] ?? loadTotals(db, experiment: experiment), totals.key == plan.key
      else { continue }
      // In unit id order, not the `Set`'s (which hash seeding changes from one process to the next): the totals are
      // sums of doubles, so the order units are applied in sets their last bits.
      let held = touches.filter { totals.covers($0.unit) }.sorted { $0.unit < $1.unit }
      let fromEvents = held.filter { !exposed.contains($0) && events[$0.unit] != nil }.map(\.unit)
      let done =
        fromEvents.isEmpty
        ? [] : try advance(db, units: fromEvents, plan: plan, events: events, totals: &totals, cache: &cache)
      for touch in held where !done.contains(touch.unit) {
        // Recomputed from its rows (or removed): read again when next needed.
        cache.units[touch] = nil
        try update(db, unit: touch.unit, plan: plan, totals: &totals)
      }
      totals.setAsideIfDigitsLost(plan)
      try save(db, experiment: experiment, totals)
      totals.changed = []
      cache.totals[experiment] = totals
    }
  }

  /// Runs `body` in a write transaction of the service: its writes to exposures and events are not counted as made
  /// behind the service's back (``LiveTotalsCoverage/outsideWrites``).
  func serviceWrite<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
    try await pool.write { db in
      try db.cachedStatement(sql: "UPDATE live_marks SET service = 1 WHERE id = 1").execute()
      let value = try body(db)
      try db.cachedStatement(sql: "UPDATE live_marks SET service = 0 WHERE id = 1").execute()
      return value
    }
  }

  /// The (experiment, unit) pairs new events touch: the experiments their unit was exposed in that read the
  /// event's metric.
  ///
  /// The units' experiments come from `cache` where it has them; the others are read and kept there.
  static func touchedByEvents(
    _ db: Database, _ events: [String: [LivePlan.NewEvent]], plans: LivePlans, cache: inout LiveCache
  ) throws -> Set<LiveTouch> {
    guard !events.isEmpty else { return [] }
    let unknown = events.keys.filter { cache.experiments[$0] == nil }
    if !unknown.isEmpty {
      let read = try experiments(db, of: unknown)
      for unit in unknown { cache.experiments[unit] = read[unit] ?? [] }
    }
    var touched: Set<LiveTouch> = []
    for (unit, new) in events {
      guard let experiments = cache.experiments[unit], !experiments.isEmpty else { continue }
      for event in new {
        let readers = plans.byMetric[event.metric] ?? []
        // An experiment without a plan here is touched too: its totals are dropped (``maintain``).
        for experiment in experiments where readers.contains(experiment) || plans.byExperiment[experiment] == nil {
          touched.insert(LiveTouch(experiment: experiment, unit: unit))
        }
      }
    }
    return touched
  }

  /// Removes a unit from every experiment's totals (erasure); `plans` tell whether its cell lost its variance's digits
  /// (``LiveTotals/remove(_:plan:)``).
  static func removeLiveUnit(_ db: Database, unit: String, plans: LivePlans?) throws {
    let rows = try Row.fetchAll(
      db, sql: "SELECT experiment_id, variant, segment, is_excluded, contribution FROM live_units WHERE unit_id = ?",
      arguments: [unit])
    for row in rows {
      let experiment: String = row["experiment_id"]
      guard var totals = try loadTotals(db, experiment: experiment) else { continue }
      let data: Data = row["contribution"]
      totals.remove(
        LiveTotals.Unit(
          variant: row["variant"], segment: row["segment"], state: LiveTotals.Unit.State(stored: row["is_excluded"]),
          contribution: LiveTotals.doubles(data)), plan: plans?.byExperiment[experiment])
      try save(db, experiment: experiment, totals)
    }
    try db.execute(sql: "DELETE FROM live_units WHERE unit_id = ?", arguments: [unit])
  }

  /// The results' rows from the totals; nil unless they are complete and made under `plan`.
  func liveResult(_ plan: LivePlan, query: CellQuery) async throws -> QueryResult? {
    try await pool.read { db -> QueryResult? in
      guard let totals = try SQLiteStore.loadTotals(db, experiment: plan.experiment), totals.key == plan.key,
        !totals.building
      else { return nil }
      return totals.result(plan, query: query)
    }
  }

  func liveActivity(_ plan: LivePlan) async throws -> [VariantActivity]? {
    try await pool.read { db -> [VariantActivity]? in
      guard let totals = try SQLiteStore.loadTotals(db, experiment: plan.experiment), totals.key == plan.key,
        !totals.building
      else { return nil }
      return try Row.fetchAll(
        db, sql: "SELECT variant, exposures, repeats FROM live_exposures WHERE experiment_id = ? ORDER BY variant",
        arguments: [plan.experiment]
      ).map { row in
        VariantActivity(
          variant: row["variant"], exposures: row["exposures"], repeats: row["repeats"],
          events: totals.events(variant: row["variant"], width: plan.width))
      }
    }
  }

  func liveTotalsCoverage() async throws -> LiveTotalsCoverage {
    try await pool.read { db in
      var experiments: [String: LiveTotalsCoverage.Experiment] = [:]
      for row in try Row.fetchAll(db, sql: "SELECT experiment_id, plan_key, building FROM live_experiments") {
        experiments[row["experiment_id"]] = .init(key: row["plan_key"], complete: (row["building"] as Int) == 0)
      }
      let marks = try Row.fetchOne(db, sql: "SELECT outside_writes, checked FROM live_marks WHERE id = 1")
      return LiveTotalsCoverage(
        experiments: experiments, outsideWrites: marks?["outside_writes"] ?? 0, checked: marks?["checked"] ?? -1)
    }
  }

  func liveTotalsInStep(experiment: String) async throws -> Bool {
    try await pool.read { db in
      let exposed = try Int.fetchOne(
        db, sql: "SELECT count(DISTINCT unit_id) FROM exposures WHERE experiment_id = ?", arguments: [experiment])
      let kept = try Int.fetchOne(
        db, sql: "SELECT count(*) FROM live_units WHERE experiment_id = ?", arguments: [experiment])
      return exposed == kept
    }
  }

  func buildLiveTotals(_ plan: LivePlan, units limit: Int, restart: Bool, recount: Bool) async throws -> Bool {
    try await pool.write { db in
      try SQLiteStore.buildStep(db, plan: plan, units: limit, restart: restart, recount: recount)
    }
  }

  func markLiveTotalsChecked(outsideWrites: Int) async throws {
    try await pool.write { db in
      try db.execute(sql: "UPDATE live_marks SET checked = ? WHERE id = 1", arguments: [outsideWrites])
    }
  }

  /// ``buildLiveTotals(_:units:restart:recount:)`` in a write transaction.
  static func buildStep(_ db: Database, plan: LivePlan, units limit: Int, restart: Bool, recount: Bool) throws -> Bool {
    var totals: LiveTotals
    if !restart, let stored = try loadTotals(db, experiment: plan.experiment), stored.key == plan.key {
      guard stored.building else { return true }
      totals = stored
    } else {
      for table in ["live_units", "live_cells", "live_experiments"] {
        try db.execute(sql: "DELETE FROM \(table) WHERE experiment_id = ?", arguments: [plan.experiment])
      }
      if recount { try SQLiteStore.recount(db, experiment: plan.experiment) }
      totals = LiveTotals(plan: plan)
      totals.building = true
    }
    let units: [String]
    if let cursor = totals.cursor {
      units = try String.fetchAll(
        db,
        sql: """
          SELECT DISTINCT unit_id FROM exposures WHERE experiment_id = ? AND unit_id > ? ORDER BY unit_id LIMIT ?
          """, arguments: [plan.experiment, cursor, limit])
    } else {
      units = try String.fetchAll(
        db, sql: "SELECT DISTINCT unit_id FROM exposures WHERE experiment_id = ? ORDER BY unit_id LIMIT ?",
        arguments: [plan.experiment, limit])
    }
    for unit in units { try update(db, unit: unit, plan: plan, totals: &totals, known: false) }
    if units.count < limit {
      totals.building = false
      totals.cursor = nil
    } else {
      totals.cursor = units.last
    }
    try save(db, experiment: plan.experiment, totals)
    return !totals.building
  }

  // MARK: Pieces

  /// Adds to the stored exposures and repeats per (experiment, variant).
  static func count(_ db: Database, _ counts: [LiveExposureKey: (exposures: Int, repeats: Int)]) throws {
    let statement = try db.cachedStatement(
      sql: """
        INSERT INTO live_exposures (experiment_id, variant, exposures, repeats) VALUES (?, ?, ?, ?)
        ON CONFLICT (experiment_id, variant) DO UPDATE SET exposures = live_exposures.exposures + excluded.exposures,
          repeats = live_exposures.repeats + excluded.repeats
        """)
    for (key, count) in counts {
      try statement.execute(arguments: [key.experiment, key.variant, count.exposures, count.repeats])
    }
  }

  /// Counts an experiment's stored exposures and repeats afresh.
  static func recount(_ db: Database, experiment: String) throws {
    try db.execute(sql: "DELETE FROM live_exposures WHERE experiment_id = ?", arguments: [experiment])
    try db.execute(
      sql: """
        INSERT INTO live_exposures (experiment_id, variant, exposures, repeats)
        SELECT experiment_id, variant, count(*), coalesce(sum(repeats), 0) FROM exposures WHERE experiment_id = ?
        GROUP BY experiment_id, variant
        """, arguments: [experiment])
  }

  static func loadTotals(_ db: Database, experiment: String) throws -> LiveTotals? {
    guard
      let meta = try Row.fetchOne(
        db,
        sql: """
          SELECT plan_key, excluded_units, building, build_cursor FROM live_experiments WHERE experiment_id = ?
          """, arguments: [experiment])
    else { return nil }
    var cells: [LiveTotals.CellKey: [Double]] = [:]
    for row in try Row.fetchAll(
      db, sql: "SELECT variant, segment, totals FROM live_cells WHERE experiment_id = ?", arguments: [experiment])
    {
      let data: Data = row["totals"]
      cells[LiveTotals.CellKey(variant: row["variant"], segment: row["segment"])] = LiveTotals.doubles(data)
    }
    var totals = LiveTotals(key: meta["plan_key"], excludedUnits: meta["excluded_units"], cells: cells)
    totals.building = (meta["building"] as Int) != 0
    totals.cursor = meta["build_cursor"]
    return totals
  }

  /// Writes the experiment's row and its changed cells.
  ///
  /// The shifts are kept per cell, in its totals; the experiment's `shifts` column, which held one shift per value
  /// column before, is written empty.
  static func save(_ db: Database, experiment: String, _ totals: LiveTotals) throws {
    try db.execute(
      sql: """
        INSERT INTO live_experiments (experiment_id, plan_key, shifts, excluded_units, building, build_cursor)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (experiment_id) DO UPDATE SET plan_key = excluded.plan_key, shifts = excluded.shifts,
          excluded_units = excluded.excluded_units, building = excluded.building, build_cursor = excluded.build_cursor
        """,
      arguments: [
        experiment, totals.key, Data(), totals.excludedUnits,
        totals.building ? 1 : 0, totals.cursor,
      ])
    let upsert = try db.cachedStatement(
      sql: """
        INSERT INTO live_cells (experiment_id, variant, segment, totals) VALUES (?, ?, ?, ?)
        ON CONFLICT (experiment_id, variant, segment) DO UPDATE SET totals = excluded.totals
        """)
    for cell in totals.changed {
      try upsert.execute(
        arguments: [experiment, cell.variant, cell.segment, Data(LiveTotals.bytes(totals.cells[cell] ?? []))])
    }
  }

  /// Recomputes one unit: subtracts its stored contribution, adds the new one, stores it.
  static func update(_ db: Database, unit: String, plan: LivePlan, totals: inout LiveTotals, known: Bool = true)
    throws
  {
    // Cached statements: this runs once per touched unit in every ingestion transaction, and preparing a statement
    // (GRDB's authorizer and region bookkeeping) cost more than running it.
    if known,
      let old = try Row.fetchOne(
        db.cachedStatement(
          sql:
            "SELECT variant, segment, is_excluded, contribution FROM live_units WHERE experiment_id = ? AND unit_id = ?"
        ),
        arguments: [plan.experiment, unit])
    {
      let data: Data = old["contribution"]
      totals.apply(
        LiveTotals.Unit(
          variant: old["variant"], segment: old["segment"], state: LiveTotals.Unit.State(stored: old["is_excluded"]),
          contribution: LiveTotals.doubles(data)), sign: -1)
    }
    let statement = try db.cachedStatement(sql: plan.unitSQL)
    let row = try Row.fetchOne(statement, arguments: [plan.experiment, unit]).map { unitRow($0, plan: plan) }
    guard let state = plan.unit(row, totals: &totals) else {
      if known {
        try db.cachedStatement(sql: "DELETE FROM live_units WHERE experiment_id = ? AND unit_id = ?").execute(
          arguments: [plan.experiment, unit])
      }
      return
    }
    totals.apply(state, sign: 1)
    try store(db, plan: plan, [(unit, state, plan.memo(row, state: state))])
  }

  /// A row of the per-unit query (``LivePlan/unitSQL``).
  static func unitRow(_ row: Row, plan: LivePlan) -> LivePlan.UnitRow {
    LivePlan.UnitRow(
      variant: row["variant"], segment: row["segment"], variants: row["variants"],
      values: plan.columns.indices.map { row["v\($0)"] as Double? }, events: row["events"],
      bounds: bounds(row, plan: plan))
  }

  /// The per-unit query's bounds (``LivePlan/Bounds``): nil unless the times are text (SQLite compares text as its
  /// bytes; a time stored as a number compares otherwise).
  static func bounds(_ row: Row, plan: LivePlan) -> LivePlan.Bounds? {
    guard case .string(let start) = (row["bound_start"] as DatabaseValue).storage else { return nil }
    var ends: [LivePlan.Bounds.End] = []
    for index in plan.columns.indices {
      guard plan.hasEnd(index) else {
        ends.append(.open)
        continue
      }
      switch (row["bound_end\(index)"] as DatabaseValue).storage {
      case .string(let end): ends.append(.before(end))
      case .null: ends.append(.closed)
      default: return nil
      }
    }
    return LivePlan.Bounds(start: start, ends: ends)
  }
}

/// A unit of an experiment whose exposures or events changed in a transaction.
struct LiveTouch: Hashable, Sendable {
  var experiment: String
  var unit: String
}
