import Foundation
import Logging
import PostgresNIO
import StrataWarehouse

/// The running cell totals (``LiveTotals``) on PostgreSQL, as on SQLite: kept in the ingestion and erasure
/// transactions (three statements per experiment whatever the number of units: the units' stored contributions, their
/// new values through one `LATERAL` join, the upserts), read by the results. Several servers may share the database:
/// a transaction-scoped advisory lock per experiment serialises the updates of its totals (taken in experiment id
/// order, so two transactions never wait on each other in a cycle).
extension PostgresStore {
  /// Updates the touched units of each experiment in the transaction of `connection`: those touched by `events` alone
  /// (not in `exposed`) from their stored memos when they can be (``advance(_:units:plan:events:totals:logger:)``),
  /// the others recomputed from their rows.
  static func maintain(
    _ connection: StoreConnection, touched: Set<LiveTouch>, plans: LivePlans,
    events: [String: [LivePlan.NewEvent]] = [:], exposed: Set<LiveTouch> = [], logger: Logger
  ) async throws {
    let byExperiment = Dictionary(grouping: touched, by: \.experiment)
    for (experiment, touches) in byExperiment.sorted(by: { $0.key < $1.key }) {
      try await lockLive(connection, experiment: experiment, logger: logger)
      guard let plan = plans.byExperiment[experiment] else {
        try await connection.query(
          "DELETE FROM live_experiments WHERE experiment_id = \(experiment)", logger: logger)
        continue
      }
      // Missing or made under another plan: left for the build, off the request path.
      guard var totals = try await loadTotals(connection, experiment: experiment, logger: logger),
        totals.key == plan.key
      else { continue }
      // Sent in unit id order, not the `Set`'s (which hash seeding changes from one process to the next): the totals
      // are sums of doubles, whose last bits depend on the order the units' rows come back and are applied in; every
      // read of these units below returns its rows in the order sent (`unnest ... WITH ORDINALITY ... ORDER BY`).
      var units = touches.map(\.unit).sorted()
      if totals.building {
        // Only the units the totals already hold (up to the cursor, in the database's order).
        guard let cursor = totals.cursor else { continue }
        var held: [String] = []
        for try await unit in try await connection.query(
          "SELECT u FROM unnest(\(units)::text[]) WITH ORDINALITY AS x(u, n) WHERE u <= \(cursor) ORDER BY n",
          logger: logger
        ).decode(String.self) {
          held.append(unit)
        }
        units = held
      }
      let fromEvents = units.filter {
        events[$0] != nil && !exposed.contains(LiveTouch(experiment: experiment, unit: $0))
      }
      if !fromEvents.isEmpty {
        let done = try await advance(
          connection, units: fromEvents, plan: plan, events: events, totals: &totals, logger: logger)
        units.removeAll { done.contains($0) }
      }
      if !units.isEmpty {
        try await update(connection, units: units, plan: plan, totals: &totals, known: true, logger: logger)
      }
      totals.setAsideIfDigitsLost(plan)
      try await save(connection, experiment: experiment, totals, logger: logger)
    }
  }

  /// Updates kept units after new events alone, from their stored memos (as ``SQLiteStore``'s `advance`), in two
  /// statements; returns the units done (those excluded for two variants need nothing), the others are left for
  /// ``update(_:units:plan:totals:known:logger:)``.
  static func advance(
    _ connection: StoreConnection, units: [String], plan: LivePlan, events: [String: [LivePlan.NewEvent]],
    totals: inout LiveTotals, logger: Logger
  ) async throws -> Set<String> {
    var done: Set<String> = []
    var stored: [(unit: String, state: LiveTotals.Unit, memo: String?)] = []
    for try await (unit, variant, segment, state, contribution, memo) in try await connection.query(
      """
      SELECT l.unit_id, l.variant, l.segment, l.is_excluded, encode(l.contribution, 'hex'), l.memo
      FROM unnest(\(units)::text[]) WITH ORDINALITY AS u(unit, n)
      JOIN live_units l ON l.experiment_id = \(plan.experiment) AND l.unit_id = u.unit ORDER BY u.n
      """, logger: logger
    ).decode((String, String, String, Int, String, String?).self) {
      let old = LiveTotals.Unit(
        variant: variant, segment: segment, state: LiveTotals.Unit.State(stored: state),
        contribution: LiveTotals.doubles(hex: contribution))
      switch plan.advance(old, memo: memo, events: events[unit], totals: &totals) {
      case .unchanged: done.insert(unit)
      case .store(let state, let memo):
        stored.append((unit, state, memo?.text))
        done.insert(unit)
      case .recompute: break
      }
    }
    try await store(connection, plan: plan, stored, logger: logger)
    return done
  }

  /// The (experiment, unit) pairs new events touch (as ``SQLiteStore/touchedByEvents(_:_:plans:)``).
  static func touchedByEvents(
    _ connection: StoreConnection, _ events: [String: [LivePlan.NewEvent]], plans: LivePlans, logger: Logger
  ) async throws -> Set<LiveTouch> {
    guard !events.isEmpty else { return [] }
    let units = Array(events.keys)
    var experimentsOfUnit: [String: [String]] = [:]
    for try await (experiment, unit) in try await connection.query(
      "SELECT DISTINCT experiment_id, unit_id FROM exposures WHERE unit_id = ANY(\(units))", logger: logger
    ).decode((String, String).self) {
      experimentsOfUnit[unit, default: []].append(experiment)
    }
    var touched: Set<LiveTouch> = []
    for (unit, new) in events {
      for event in new {
        let readers = plans.byMetric[event.metric] ?? []
        for experiment in experimentsOfUnit[unit] ?? []
        where readers.contains(experiment) || plans.byExperiment[experiment] == nil {
          touched.insert(LiveTouch(experiment: experiment, unit: unit))
        }
      }
    }
    return touched
  }

  /// Removes a unit from every experiment's totals (erasure).
  static func removeLiveUnit(
    _ connection: StoreConnection, unit: String, plans: LivePlans?, logger: Logger
  ) async throws {
    var rows: [(String, LiveTotals.Unit)] = []
    for try await (experiment, variant, segment, state, contribution) in try await connection.query(
      """
      SELECT experiment_id, variant, segment, is_excluded, encode(contribution, 'hex') FROM live_units
      WHERE unit_id = \(unit) ORDER BY experiment_id
      """, logger: logger
    ).decode((String, String, String, Int, String).self) {
      rows.append(
        (
          experiment,
          LiveTotals.Unit(
            variant: variant, segment: segment, state: LiveTotals.Unit.State(stored: state),
            contribution: LiveTotals.doubles(hex: contribution))
        ))
    }
    for (experiment, stored) in rows {
      try await lockLive(connection, experiment: experiment, logger: logger)
      guard var totals = try await loadTotals(connection, experiment: experiment, logger: logger) else { continue }
      totals.remove(stored, plan: plans?.byExperiment[experiment])
      try await save(connection, experiment: experiment, totals, logger: logger)
    }
    try await connection.query("DELETE FROM live_units WHERE unit_id = \(unit)", logger: logger)
  }

  /// The results' rows from the totals; nil unless they are complete and made under `plan`.
  func liveResult(_ plan: LivePlan, query: CellQuery) async throws -> QueryResult? {
    let logger = self.logger
    guard
      let totals = try await withConnection({ connection in
        try await PostgresStore.loadTotals(connection, experiment: plan.experiment, logger: logger)
      }), totals.key == plan.key, !totals.building
    else { return nil }
    return totals.result(plan, query: query)
  }

  func liveActivity(_ plan: LivePlan) async throws -> [VariantActivity]? {
    let logger = self.logger
    return try await withConnection { connection -> [VariantActivity]? in
      guard let totals = try await PostgresStore.loadTotals(connection, experiment: plan.experiment, logger: logger),
        totals.key == plan.key, !totals.building
      else { return nil }
      var activity: [VariantActivity] = []
      for try await (variant, exposures, repeats) in try await connection.query(
        """
        SELECT variant, exposures, repeats FROM live_exposures WHERE experiment_id = \(plan.experiment)
        ORDER BY variant
        """, logger: logger
      ).decode((String, Int, Int).self) {
        activity.append(
          VariantActivity(
            variant: variant, exposures: exposures, repeats: repeats,
            events: totals.events(variant: variant, width: plan.width)))
      }
      return activity
    }
  }

  // MARK: Pieces

  static func loadTotals(_ connection: StoreConnection, experiment: String, logger: Logger) async throws
    -> LiveTotals?
  {
    var meta: (String, Int, Int, String?)?
    for try await row in try await connection.query(
      """
      SELECT plan_key, excluded_units, building, build_cursor FROM live_experiments
      WHERE experiment_id = \(experiment)
      """, logger: logger
    ).decode((String, Int, Int, String?).self) {
      meta = row
    }
    guard let (key, excluded, building, cursor) = meta else { return nil }
    var cells: [LiveTotals.CellKey: [Double]] = [:]
    for try await (variant, segment, totals) in try await connection.query(
      "SELECT variant, segment, encode(totals, 'hex') FROM live_cells WHERE experiment_id = \(experiment)",
      logger: logger
    ).decode((String, String, String).self) {
      cells[LiveTotals.CellKey(variant: variant, segment: segment)] = LiveTotals.doubles(hex: totals)
    }
    var totals = LiveTotals(key: key, excludedUnits: excluded, cells: cells)
    totals.building = building != 0
    totals.cursor = cursor
    return totals
  }

  /// Writes the experiment's row and its changed cells (the shifts are kept per cell: the experiment's `shifts` column
  /// is written empty, as on SQLite).
  static func save(_ connection: StoreConnection, experiment: String, _ totals: LiveTotals, logger: Logger)
    async throws
  {
    try await connection.query(
      """
      INSERT INTO live_experiments (experiment_id, plan_key, shifts, excluded_units, building, build_cursor)
      VALUES (\(experiment), \(totals.key), ''::bytea, \(totals.excludedUnits),
        \(totals.building ? 1 : 0), \(totals.cursor))
      ON CONFLICT (experiment_id) DO UPDATE SET plan_key = excluded.plan_key, shifts = excluded.shifts,
        excluded_units = excluded.excluded_units, building = excluded.building, build_cursor = excluded.build_cursor
      """, logger: logger)
    let changed = Array(totals.changed)
    guard !changed.isEmpty else { return }
    let variants = changed.map(\.variant)
    let segments = changed.map(\.segment)
    let values = changed.map { LiveTotals.hex(LiveTotals.bytes(totals.cells[$0] ?? [])) }
    try await connection.query(
      """
      INSERT INTO live_cells (experiment_id, variant, segment, totals)
      SELECT \(experiment), v, s, decode(t, 'hex') FROM unnest(\(variants)::text[], \(segments)::text[],
        \(values)::text[]) AS x(v, s, t)
      ON CONFLICT (experiment_id, variant, segment) DO UPDATE SET totals = excluded.totals
      """, logger: logger)
  }

  /// One step of ``buildLiveTotals(_:units:restart:recount:)``; the caller has taken the experiment's lock.
  static func buildStep(
    _ connection: StoreConnection, plan: LivePlan, units limit: Int, restart: Bool, recount: Bool, logger: Logger
  ) async throws -> Bool {
    let experiment = plan.experiment
    var totals: LiveTotals
    if !restart, let stored = try await loadTotals(connection, experiment: experiment, logger: logger),
      stored.key == plan.key
    {
      guard stored.building else { return true }
      totals = stored
    } else {
      try await connection.query("DELETE FROM live_units WHERE experiment_id = \(experiment)", logger: logger)
      try await connection.query("DELETE FROM live_cells WHERE experiment_id = \(experiment)", logger: logger)
      try await connection.query("DELETE FROM live_experiments WHERE experiment_id = \(experiment)", logger: logger)
      if recount {
        try await connection.query("DELETE FROM live_exposures WHERE experiment_id = \(experiment)", logger: logger)
        try await connection.query(
          """
          INSERT INTO live_exposures (experiment_id, variant, exposures, repeats)
          SELECT experiment_id, variant, count(*), coalesce(sum(repeats), 0) FROM exposures
          WHERE experiment_id = \(experiment) GROUP BY experiment_id, variant
          """, logger: logger)
      }
      totals = LiveTotals(plan: plan)
      totals.building = true
    }
    var units: [String] = []
    let rows =
      if let cursor = totals.cursor {
        try await connection.query(
          """
          SELECT DISTINCT unit_id FROM exposures WHERE experiment_id = \(experiment) AND unit_id > \(cursor)
          ORDER BY unit_id LIMIT \(limit)
          """, logger: logger)
      } else {
        try await connection.query(
          "SELECT DISTINCT unit_id FROM exposures WHERE experiment_id = \(experiment) ORDER BY unit_id LIMIT \(limit)",
          logger: logger)
      }
    for try await unit in rows.decode(String.self) { units.append(unit) }
    if !units.isEmpty {
      try await update(connection, units: units, plan: plan, totals: &totals, known: false, logger: logger)
    }
    if units.count < limit {
      totals.building = false
      totals.cursor = nil
    } else {
      totals.cursor = units.last
    }
    try await save(connection, experiment: experiment, totals, logger: logger)
    return !totals.building
  }

  /// Recomputes units: subtracts their stored contributions, adds the new ones, stores them.
  static func update(
    _ connection: StoreConnection, units: [String], plan: LivePlan, totals: inout LiveTotals, known: Bool,
    logger: Logger
  ) async throws {
    let experiment = plan.experiment
    if known {
      for try await (variant, segment, state, contribution) in try await connection.query(
        """
        SELECT l.variant, l.segment, l.is_excluded, encode(l.contribution, 'hex')
        FROM unnest(\(units)::text[]) WITH ORDINALITY AS u(unit, n)
        JOIN live_units l ON l.experiment_id = \(experiment) AND l.unit_id = u.unit ORDER BY u.n
        """, logger: logger
      ).decode((String, String, Int, String).self) {
        totals.apply(
          LiveTotals.Unit(
            variant: variant, segment: segment, state: LiveTotals.Unit.State(stored: state),
            contribution: LiveTotals.doubles(hex: contribution)), sign: -1)
      }
    }
    var binds = PostgresBindings()
    binds.append(experiment)
    binds.append(units)
    var stored: [(unit: String, state: LiveTotals.Unit, memo: String?)] = []
    var gone: [String] = []
    for try await row in try await connection.query(
      PostgresQuery(unsafeSQL: plan.unitsSQL, binds: binds), logger: logger)
    {
      let cells = row.makeRandomAccess()
      let unit = try cells["unit_key"].decode(String.self)
      let read = try cells["variant"].decode(String?.self).map { variant in
        LivePlan.UnitRow(
          variant: variant, segment: try cells["segment"].decode(String.self),
          variants: try cells["variants"].decode(Int.self),
          values: try plan.columns.indices.map { try cells["v\($0)"].decode(Double?.self) },
          events: try cells["events"].decode(Int.self), bounds: try bounds(cells, plan: plan))
      }
      guard let state = plan.unit(read, totals: &totals) else {
        gone.append(unit)
        continue
      }
      totals.apply(state, sign: 1)
      stored.append((unit, state, plan.memo(read, state: state)))
    }
    if known && !gone.isEmpty {
      try await connection.query(
        "DELETE FROM live_units WHERE experiment_id = \(experiment) AND unit_id = ANY(\(gone))", logger: logger)
    }
    try await store(connection, plan: plan, stored, logger: logger)
  }

  /// Stores units' states and memos.
  static func store(
    _ connection: StoreConnection, plan: LivePlan, _ stored: [(unit: String, state: LiveTotals.Unit, memo: String?)],
    logger: Logger
  ) async throws {
    guard !stored.isEmpty else { return }
    let ids = stored.map(\.unit)
    let variants = stored.map(\.state.variant)
    let segments = stored.map(\.state.segment)
    let states = stored.map { $0.state.state.stored }
    let contributions = stored.map { LiveTotals.hex(LiveTotals.bytes($0.state.contribution)) }
    let memos = stored.map { $0.memo ?? "" }  // a memo is never empty
    try await connection.query(
      """
      INSERT INTO live_units (experiment_id, unit_id, variant, segment, is_excluded, contribution, memo)
      SELECT \(plan.experiment), u, v, s, x, decode(c, 'hex'), NULLIF(m, '')
      FROM unnest(\(ids)::text[], \(variants)::text[], \(segments)::text[], \(states)::int8[], \(contributions)::text[],
        \(memos)::text[]) AS t(u, v, s, x, c, m)
      ON CONFLICT (experiment_id, unit_id) DO UPDATE SET variant = excluded.variant, segment = excluded.segment,
        is_excluded = excluded.is_excluded, contribution = excluded.contribution, memo = excluded.memo
      """, logger: logger)
  }

  /// The per-unit query's bounds (``LivePlan/Bounds``; times as fixed-width text to the microsecond).
  static func bounds(_ cells: PostgresRandomAccessRow, plan: LivePlan) throws -> LivePlan.Bounds? {
    guard let start = try cells["bound_start"].decode(String?.self) else { return nil }
    var ends: [LivePlan.Bounds.End] = []
    for index in plan.columns.indices {
      if !plan.hasEnd(index) {
        ends.append(.open)
      } else if let end = try cells["bound_end\(index)"].decode(String?.self) {
        ends.append(.before(end))
      } else {
        ends.append(.closed)
      }
    }
    return LivePlan.Bounds(start: start, ends: ends)
  }
}
