import Foundation
import GRDB
import StrataWarehouse

/// The running cell totals (``LiveTotals``) on SQLite: kept in the ingestion and erasure transactions, read by the
/// results.
extension SQLiteStore {
  /// Recomputes the units touched by a transaction and moves their contributions between cells.
  ///
  /// `touched`: (experiment, unit) pairs whose exposures or events changed. An experiment whose stored totals were
  /// made under another plan (or never made) is rebuilt from every stored unit first.
  static func maintain(_ db: Database, touched: Set<LiveTouch>, plans: LivePlans) throws {
    let byExperiment = Dictionary(grouping: touched, by: \.experiment)
    for (experiment, touches) in byExperiment.sorted(by: { $0.key < $1.key }) {
      guard let plan = plans.byExperiment[experiment] else {
        // No plan to keep them by (not in the catalog, or unanalysable): drop them; a read rebuilds.
        try db.execute(sql: "DELETE FROM live_experiments WHERE experiment_id = ?", arguments: [experiment])
        continue
      }
      guard var totals = try loadTotals(db, experiment: experiment), totals.key == plan.key else {
        try rebuild(db, plan: plan)
        continue
      }
      for touch in touches { try update(db, unit: touch.unit, plan: plan, totals: &totals) }
      try save(db, experiment: experiment, totals)
    }
  }

  /// The (experiment, unit) pairs new events touch: the experiments their unit was exposed in that read the
  /// event's metric.
  static func touchedByEvents(_ db: Database, _ events: [(unit: String, metric: String)], plans: LivePlans) throws
    -> Set<LiveTouch>
  {
    var touched: Set<LiveTouch> = []
    var experimentsOfUnit: [String: [String]] = [:]
    let statement = try db.cachedStatement(sql: "SELECT DISTINCT experiment_id FROM exposures WHERE unit_id = ?")
    for event in events {
      let readers = plans.byMetric[event.metric] ?? []
      let experiments: [String]
      if let known = experimentsOfUnit[event.unit] {
        experiments = known
      } else {
        experiments = try String.fetchAll(statement, arguments: [event.unit])
        experimentsOfUnit[event.unit] = experiments
      }
      // An experiment without a plan here is touched too: its totals are dropped (``maintain``).
      for experiment in experiments where readers.contains(experiment) || plans.byExperiment[experiment] == nil {
        touched.insert(LiveTouch(experiment: experiment, unit: event.unit))
      }
    }
    return touched
  }

  /// Removes a unit from every experiment's totals (erasure), without needing its plan.
  static func removeLiveUnit(_ db: Database, unit: String) throws {
    let rows = try Row.fetchAll(
      db, sql: "SELECT experiment_id, variant, segment, is_excluded, contribution FROM live_units WHERE unit_id = ?",
      arguments: [unit])
    for row in rows {
      let experiment: String = row["experiment_id"]
      guard var totals = try loadTotals(db, experiment: experiment) else { continue }
      let data: Data = row["contribution"]
      totals.apply(
        LiveTotals.Unit(
          variant: row["variant"], segment: row["segment"], state: LiveTotals.Unit.State(stored: row["is_excluded"]),
          contribution: LiveTotals.doubles(data)), sign: -1)
      try save(db, experiment: experiment, totals)
    }
    try db.execute(sql: "DELETE FROM live_units WHERE unit_id = ?", arguments: [unit])
  }

  /// The results' rows from the totals (rebuilt first when they are missing or were made under another plan).
  func liveResult(_ plan: LivePlan, query: CellQuery) async throws -> QueryResult {
    let current = try await pool.read { db -> QueryResult? in
      guard let totals = try SQLiteStore.loadTotals(db, experiment: plan.experiment), totals.key == plan.key else {
        return nil
      }
      return totals.result(plan, query: query)
    }
    if let current { return current }
    return try await pool.write { db in
      if let totals = try SQLiteStore.loadTotals(db, experiment: plan.experiment), totals.key == plan.key {
        return totals.result(plan, query: query)
      }
      return try SQLiteStore.rebuild(db, plan: plan).result(plan, query: query)
    }
  }

  /// Builds the totals of every experiment whose totals are missing, were made under another plan (a database from
  /// an earlier release, a changed definition) or hold another number of units than the exposures (rows written or
  /// removed behind the service's back); returns their ids.
  func prepareLiveTotals(_ plans: LivePlans) async throws -> [String] {
    var built: [String] = []
    for (experiment, plan) in plans.byExperiment.sorted(by: { $0.key < $1.key }) {
      let rebuilt = try await pool.write { db -> Bool in
        if let totals = try SQLiteStore.loadTotals(db, experiment: experiment), totals.key == plan.key {
          let exposed = try Int.fetchOne(
            db, sql: "SELECT count(DISTINCT unit_id) FROM exposures WHERE experiment_id = ?", arguments: [experiment])
          let kept = try Int.fetchOne(
            db, sql: "SELECT count(*) FROM live_units WHERE experiment_id = ?", arguments: [experiment])
          if exposed == kept { return false }
        }
        try SQLiteStore.rebuild(db, plan: plan)
        return true
      }
      if rebuilt { built.append(experiment) }
    }
    return built
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
        db, sql: "SELECT plan_key, shifts, excluded_units FROM live_experiments WHERE experiment_id = ?",
        arguments: [experiment])
    else { return nil }
    var cells: [LiveTotals.CellKey: [Double]] = [:]
    for row in try Row.fetchAll(
      db, sql: "SELECT variant, segment, totals FROM live_cells WHERE experiment_id = ?", arguments: [experiment])
    {
      let data: Data = row["totals"]
      cells[LiveTotals.CellKey(variant: row["variant"], segment: row["segment"])] = LiveTotals.doubles(data)
    }
    let shifts: Data = meta["shifts"]
    return LiveTotals(
      key: meta["plan_key"], shifts: LiveTotals.shifts(shifts), excludedUnits: meta["excluded_units"], cells: cells)
  }

  static func save(_ db: Database, experiment: String, _ totals: LiveTotals) throws {
    try db.execute(
      sql: """
        INSERT INTO live_experiments (experiment_id, plan_key, shifts, excluded_units) VALUES (?, ?, ?, ?)
        ON CONFLICT (experiment_id) DO UPDATE SET plan_key = excluded.plan_key, shifts = excluded.shifts,
          excluded_units = excluded.excluded_units
        """,
      arguments: [experiment, totals.key, Data(LiveTotals.shiftBytes(totals.shifts)), totals.excludedUnits])
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

  /// Rebuilds an experiment's totals from every stored unit.
  @discardableResult
  static func rebuild(_ db: Database, plan: LivePlan) throws -> LiveTotals {
    for table in ["live_units", "live_cells", "live_experiments"] {
      try db.execute(sql: "DELETE FROM \(table) WHERE experiment_id = ?", arguments: [plan.experiment])
    }
    try recount(db, experiment: plan.experiment)
    var totals = LiveTotals(plan: plan)
    let units = try String.fetchAll(
      db, sql: "SELECT DISTINCT unit_id FROM exposures WHERE experiment_id = ?", arguments: [plan.experiment])
    for unit in units { try update(db, unit: unit, plan: plan, totals: &totals, known: false) }
    try save(db, experiment: plan.experiment, totals)
    return totals
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
    let row = try Row.fetchOne(statement, arguments: [plan.experiment, unit]).map { row in
      LivePlan.UnitRow(
        variant: row["variant"], segment: row["segment"], variants: row["variants"],
        values: plan.columns.indices.map { row["v\($0)"] as Double? })
    }
    guard let state = plan.unit(row, shifts: &totals.shifts) else {
      if known {
        try db.cachedStatement(sql: "DELETE FROM live_units WHERE experiment_id = ? AND unit_id = ?").execute(
          arguments: [plan.experiment, unit])
      }
      return
    }
    totals.apply(state, sign: 1)
    try db.cachedStatement(
      sql: """
        INSERT INTO live_units (experiment_id, unit_id, variant, segment, is_excluded, contribution)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (experiment_id, unit_id) DO UPDATE SET variant = excluded.variant, segment = excluded.segment,
          is_excluded = excluded.is_excluded, contribution = excluded.contribution
        """
    ).execute(
      arguments: [
        plan.experiment, unit, state.variant, state.segment, state.state.stored,
        Data(LiveTotals.bytes(state.contribution)),
      ])
  }
}

/// A unit of an experiment whose exposures or events changed in a transaction.
struct LiveTouch: Hashable, Sendable {
  var experiment: String
  var unit: String
}
