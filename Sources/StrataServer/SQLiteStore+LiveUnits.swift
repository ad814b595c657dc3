import Foundation
import GRDB

/// The running totals' per-unit reads and writes on SQLite, many units per statement: an ingestion transaction of
/// group commit touches hundreds of units, and a statement per unit (bind, step, reset, a row decoded) cost more than
/// the index seeks it made.
extension SQLiteStore {
  /// Unit ids per `IN (...)` list: a fixed number of parameters, the unused ones NULL (which matches nothing), so that
  /// one cached statement serves every list.
  static let unitsPerList = 128

  /// `?, ?, ...` for ``unitsPerList`` parameters.
  static let unitList = [String](repeating: "?", count: unitsPerList).joined(separator: ", ")

  /// `units` in lists of ``unitsPerList`` parameters (the last padded with NULLs).
  static func unitLists(_ units: [String]) -> [StatementArguments] {
    stride(from: 0, to: units.count, by: unitsPerList).map { start in
      let end = Swift.min(start + unitsPerList, units.count)
      var values: [(any DatabaseValueConvertible)?] = units[start..<end].map { $0 }
      values += [(any DatabaseValueConvertible)?](repeating: nil, count: unitsPerList - (end - start))
      return StatementArguments(values)
    }
  }

  /// The experiments each unit was exposed in (one statement per ``unitsPerList`` units).
  static func experiments(_ db: Database, of units: [String]) throws -> [String: [String]] {
    let statement = try db.cachedStatement(
      sql: "SELECT DISTINCT unit_id, experiment_id FROM exposures WHERE unit_id IN (\(unitList))")
    var experiments: [String: [String]] = [:]
    for list in unitLists(units) {
      let rows = try Row.fetchCursor(statement, arguments: list)
      while let row = try rows.next() {
        experiments[row[0] as String, default: []].append(row[1])
      }
    }
    return experiments
  }

  /// Updates kept units after new events alone, from their stored memos (``LivePlan/advanced(memo:stored:events:)``).
  ///
  /// Takes their rows from `cache` where it has them, reads the others (one statement per ``unitsPerList`` units),
  /// moves their contributions and writes the rows back (``store(_:plan:_:)``), keeping them in `cache`. Returns the
  /// units done (those excluded for two variants need nothing); the others (no row, no memo, not in a cell) are left
  /// for ``update(_:unit:plan:totals:known:)``.
  static func advance(
    _ db: Database, units: [String], plan: LivePlan, events: [String: [LivePlan.NewEvent]], totals: inout LiveTotals,
    cache: inout LiveCache
  ) throws -> Set<String> {
    var done: Set<String> = []
    var stored: [(unit: String, state: LiveTotals.Unit, memo: LivePlan.Memo?)] = []
    // The units' rows, from `cache` or read, then applied in the order of `units` (the caller's unit id order)
    // whichever of them were cached: the totals are sums of doubles, whose last bits depend on that order.
    var rows: [String: (old: LiveTotals.Unit, memo: LivePlan.Memo?)] = [:]
    var unread: [String] = []
    for unit in units {
      if let entry = cache.units[LiveTouch(experiment: plan.experiment, unit: unit)] {
        rows[unit] = (entry.unit, entry.memo)
      } else {
        unread.append(unit)
      }
    }
    if !unread.isEmpty {
      let statement = try db.cachedStatement(
        sql: """
          SELECT unit_id, variant, segment, is_excluded, contribution, memo FROM live_units
          WHERE experiment_id = ? AND unit_id IN (\(unitList))
          """)
      for list in unitLists(unread) {
        var arguments: StatementArguments = [plan.experiment]
        arguments += list
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        while let row = try cursor.next() {
          let unit: String = row[0]
          let old = LiveTotals.Unit(
            variant: row[1], segment: row[2], state: LiveTotals.Unit.State(stored: row[3]),
            contribution: LiveTotals.doubles(row[4] as Data))
          // Parsed once, only for a unit in its cell (the only state that reads it).
          let memo =
            old.state == .counted
            ? (row[5] as String?).flatMap { LivePlan.Memo(text: $0, columns: plan.columns.count) } : nil
          if old.state != .counted {
            cache.units[LiveTouch(experiment: plan.experiment, unit: unit)] = LiveCache.Entry(unit: old, memo: nil)
          }
          rows[unit] = (old, memo)
        }
      }
    }
    for unit in units {
      guard let (old, memo) = rows[unit] else { continue }
      switch plan.advance(old, memo: memo, events: events[unit], totals: &totals) {
      case .unchanged: done.insert(unit)
      case .store(let state, let memo):
        stored.append((unit, state, memo))
        done.insert(unit)
      case .recompute: break
      }
    }
    // Sorted by unit id, about as the rows are kept (the table's key orders them by their bytes; String's order is the
    // same for ASCII ids, and any order is correct): each multi-row upsert then rewrites a few neighbouring pages
    // instead of one page per unit, and SQLite's statement journal copies each page once per statement.
    stored.sort { $0.unit < $1.unit }
    let texts = stored.map { $0.memo?.text }
    try store(db, plan: plan, zip(stored, texts).map { (unit: $0.unit, state: $0.state, memo: $1) })
    for ((unit, state, memo), text) in zip(stored, texts) {
      cache.stored(LiveTouch(experiment: plan.experiment, unit: unit), state: state, memo: memo, text: text)
    }
    return done
  }

  /// Rows per multi-row upsert of ``store(_:plan:_:)``, largest first: a list of units is written in chunks of these
  /// sizes (its count in binary), so a handful of cached statements serve every count.
  static let storeChunks = [64, 32, 16, 8, 4, 2, 1]

  /// Stores units' states and memos, many rows per statement.
  static func store(
    _ db: Database, plan: LivePlan, _ units: [(unit: String, state: LiveTotals.Unit, memo: String?)]
  ) throws {
    var start = 0
    for size in storeChunks {
      while units.count - start >= size {
        let statement = try db.cachedStatement(
          sql: """
            INSERT INTO live_units (experiment_id, unit_id, variant, segment, is_excluded, contribution, memo)
            VALUES \([String](repeating: "(?, ?, ?, ?, ?, ?, ?)", count: size).joined(separator: ", "))
            ON CONFLICT (experiment_id, unit_id) DO UPDATE SET variant = excluded.variant, segment = excluded.segment,
              is_excluded = excluded.is_excluded, contribution = excluded.contribution, memo = excluded.memo
            """)
        // Database values made here, not boxed as `any DatabaseValueConvertible` first (thousands per transaction).
        var values: [DatabaseValue] = []
        values.reserveCapacity(7 * size)
        let experiment = plan.experiment.databaseValue
        for (unit, state, memo) in units[start..<start + size] {
          values.append(experiment)
          values.append(unit.databaseValue)
          values.append(state.variant.databaseValue)
          values.append(state.segment.databaseValue)
          values.append(state.state.stored.databaseValue)
          values.append(Data(LiveTotals.bytes(state.contribution)).databaseValue)
          values.append(memo?.databaseValue ?? .null)
        }
        try statement.execute(arguments: StatementArguments(values))
        start += size
      }
    }
  }
}
