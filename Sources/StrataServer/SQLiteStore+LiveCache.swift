import GRDB

/// What SQLite's writer keeps of the running totals across ingestion transactions: the rows it last read or wrote of
/// `live_units` (state, contribution, memo already parsed), of `live_experiments` and `live_cells` (``LiveTotals``),
/// and the experiments each unit was exposed in, so that a unit touched again by new events is advanced without
/// reading anything back (``SQLiteStore/advance(_:units:plan:events:totals:cache:)``).
///
/// The cache is a copy of rows of the database, never a source of them: every change it knows of is written in the
/// same transaction, and it is used only while nothing else can have changed those rows. It is dropped whole
/// - when another connection (another process, another server on the same file) committed anything since the last
///   ingestion transaction (`PRAGMA data_version` moved),
/// - when any other write on the writer connection changed a row since then (`sqlite3_total_changes` moved: erasure,
///   a totals build, consent, keys, looks; each of them also marks `live_marks` or writes its own rows),
/// - when an ingestion transaction does not commit (it is taken out of ``SQLiteStore/liveCache`` at the transaction's
///   start and put back only by the commit's hook, so a failed or rolled-back transaction leaves none),
/// - when it holds more than ``capacity`` units and units' experiments.
///
/// Within a transaction, what the transaction rewrites other than by advancing a unit (a unit recomputed from its
/// rows, removed, or newly exposed) is dropped from it and read again when next needed.
struct LiveCache: Sendable {
  /// A unit's row of `live_units`, as the writer last read or wrote it.
  struct Entry: Sendable {
    var unit: LiveTotals.Unit
    /// The stored memo, parsed (nil: none stored, or not one this plan reads).
    var memo: LivePlan.Memo?
  }

  /// What the writer connection had seen when the cache was last in step with the database.
  struct Stamp: Equatable, Sendable {
    /// `PRAGMA data_version`: moves when another connection commits.
    var dataVersion: Int
    /// `sqlite3_total_changes`: rows changed by this connection since it opened.
    var totalChanges: Int
  }

  /// The most units plus units' experiments kept (about half a kilobyte each): beyond it the cache starts afresh.
  static let capacity = 16_384

  var stamp: Stamp
  /// Unit id → the experiments it was exposed in (empty: none).
  var experiments: [String: [String]] = [:]
  var units: [LiveTouch: Entry] = [:]
  /// Experiment → its totals as stored (nothing changed since saving).
  var totals: [String: LiveTotals] = [:]

  init(stamp: Stamp) { self.stamp = stamp }

  var isFull: Bool { units.count + experiments.count > LiveCache.capacity }

  /// The stamp of `db` now: call inside the write transaction (the data version then counts every commit before it).
  static func stamp(_ db: Database) throws -> Stamp {
    Stamp(
      dataVersion: try Int.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? -1,
      totalChanges: db.totalChangesCount)
  }

  /// The stored row of a unit advanced to `state` with `memo` written as `text` (nil: NULL was stored).
  mutating func stored(_ touch: LiveTouch, state: LiveTotals.Unit, memo: LivePlan.Memo?, text: String?) {
    units[touch] = Entry(unit: state, memo: text == nil ? nil : memo)
  }
}
