import Foundation
import GRDB
import Testing

@testable import StrataServer

/// The running totals' rows SQLite's writer keeps across ingestion transactions (``LiveCache``) are dropped when
/// the database may have changed under them.
///
/// The cases: a write by another connection (a second server on the same file), an erasure, a transaction that did
/// not commit. After each, the next batch for the same units leaves the totals equal to the results query.
@Suite struct LiveCacheTests {
  let harness: TestService
  let store: SQLiteStore
  let plans: LivePlans
  let plan: LivePlan
  static let units = (0..<12).map { "c\($0)" }

  init() async throws {
    harness = try TestService(only: [], extra: ["live.yaml": LiveTotalsTests.definition])
    store = try await LiveCacheTests.prepared(harness)
    plans = LivePlans(catalog: harness.service.catalog, dialect: .sqlite)
    plan = try #require(plans.byExperiment["live-window"])
    _ = try await store.ingest([LiveCacheTests.exposures], plans: plans, consent: .none)
  }

  /// The exposures of ``units``.
  static let exposures = LiveCacheTests.exposures(units)

  /// The exposures of `units` (each a letter and a number, which picks its variant and segment), in their order.
  static func exposures(_ units: [String]) -> IngestBatch {
    .exposures(
      units.map { unit in
        let index = Int(unit.dropFirst()) ?? 0
        return ExposureRow(
          id: "x-\(unit)", experiment: "live-window", unit: unit, variant: index % 2 == 0 ? "control" : "treatment",
          segment: index % 3 == 0 ? "heavy" : "light", time: LiveTotalsTests.time(0), definitionHash: "test")
      })
  }

  /// The store of `harness`, migrated, its catalog recorded and the running totals of `live-window` built (empty).
  static func prepared(_ harness: TestService) async throws -> SQLiteStore {
    let store = try #require(harness.service.store as? SQLiteStore)
    _ = try await store.migrate()
    _ = try await store.claimAuditKey(fingerprint: "test")
    try await store.recordCatalog(harness.service.catalog)
    let plans = LivePlans(catalog: harness.service.catalog, dialect: .sqlite)
    let plan = try #require(plans.byExperiment["live-window"])
    #expect(try await store.buildLiveTotals(plan, units: 1_000, restart: false, recount: false))
    return store
  }

  /// A batch of events for every unit (spend, minutes, converted: inside their windows), ids tagged `tag`.
  ///
  /// The values differ from unit to unit: a cell whose minutes were all equal, summed about the shift its units'
  /// exposures set (0, the value counted for none stored), looks like a cell that lost its variance's digits, and
  /// ingestion sets such totals aside for a build (``LiveTotals/setAsideIfDigitsLost(_:)``).
  static func events(_ tag: String, value: Double) -> IngestBatch {
    .events(
      units.enumerated().flatMap { index, unit in
        [
          EventRow(
            id: "\(tag)-s-\(unit)", unit: unit, metric: "spend", value: value + Double(index),
            time: LiveTotalsTests.time(10 + index)),
          EventRow(
            id: "\(tag)-m-\(unit)", unit: unit, metric: "minutes", value: 2 * value + Double(index),
            time: LiveTotalsTests.time(20 + index)),
          EventRow(
            id: "\(tag)-c-\(unit)", unit: unit, metric: "converted", value: index % 2 == 0 ? 1 : 0,
            time: LiveTotalsTests.time(30)),
        ]
      })
  }

  /// Ingests `batch` through `store` and expects every item stored.
  func ingest(_ batch: IngestBatch, into store: SQLiteStore? = nil) async throws {
    let outcomes = try await (store ?? self.store).ingest([batch], plans: plans, consent: .none)
    #expect(outcomes.map(\.stored) == [batch.count])
  }

  /// Whether the writer holds unit `unit`'s row (the cache is in use).
  func cached(_ unit: String) -> Bool {
    store.liveCache.withLock { $0?.units[LiveTouch(experiment: "live-window", unit: unit)] != nil }
  }

  func expectTotalsAgree(_ when: String) async throws {
    let difference = try await LiveTotalsTests.compare(store, plan)
    #expect(difference == nil, "\(when): \(difference ?? "")")
  }

  /// Another server on the same file advances the same units between two of this one's batches.
  @Test func anotherConnectionsWriteDropsTheCache() async throws {
    defer { harness.remove() }
    try await ingest(LiveCacheTests.events("a", value: 10))
    #expect(cached("c1"))
    try await expectTotalsAgree("first batch")
    let second = try SQLiteStore(path: harness.directory.appendingPathComponent("strata.db").path)
    try await ingest(LiveCacheTests.events("b", value: 200), into: second)
    try await second.close()
    try await ingest(LiveCacheTests.events("c", value: 3_000))
    try await expectTotalsAgree("after the other server's batch")
    // A write by another connection that touches no unit (here: a catalog version) drops the cache too.
    #expect(cached("c1"))
    let third = try DatabaseQueue(path: harness.directory.appendingPathComponent("strata.db").path)
    try await third.write { db in
      try db.execute(
        sql: "INSERT INTO catalog_versions (etag, experiments, first_served_at) VALUES ('other', 0, 'now')")
    }
    try third.close()
    try await ingest(
      .events([EventRow(id: "d", unit: "c5", metric: "spend", value: 1, time: LiveTotalsTests.time(40))]))
    #expect(!cached("c1") && cached("c5"))
    try await expectTotalsAgree("after the other connection's write")
  }

  /// An erasure between two batches: the erased unit's events touch nothing afterwards, the others are read again.
  @Test func erasureDropsTheCache() async throws {
    defer { harness.remove() }
    try await ingest(LiveCacheTests.events("a", value: 10))
    #expect(cached("c1") && cached("c2"))
    _ = try await store.erase(Erasure(unit: "c1", unitHash: "h-c1", actor: "test", time: "2026-12-05T00:00:00Z"))
    try await expectTotalsAgree("after the erasure")
    try await ingest(LiveCacheTests.events("b", value: 200))
    try await expectTotalsAgree("after the next batch")
    let kept = try await store.pool.read { db in
      try Int.fetchOne(db, sql: "SELECT count(*) FROM live_units WHERE unit_id = 'c1'")
    }
    #expect(kept == 0)
    #expect(!cached("c1") && cached("c2"))
  }

  /// A batch whose transaction fails after the units were advanced in memory (here: a trigger aborts the save of the
  /// totals) leaves nothing of it in the cache: the next batch starts from the stored rows.
  @Test func rolledBackBatchDropsTheCache() async throws {
    defer { harness.remove() }
    try await expectFailingBatchLeavesNoTrace(
      setUp: """
        CREATE TRIGGER test_abort BEFORE INSERT ON live_experiments
        WHEN EXISTS (SELECT 1 FROM events WHERE event_id = 'boom')
        BEGIN SELECT RAISE(ABORT, 'test abort'); END
        """,
      afterFailure: "DROP TRIGGER test_abort", "after the rolled-back batch and the next")
  }

  /// A batch whose COMMIT fails after the whole transaction ran leaves nothing of it in the cache either.
  ///
  /// Here a trigger breaks a deferred foreign key when the event `boom` is stored. A rolled-back transaction moves
  /// neither the data version nor the count of changes, so the stamp cannot tell: only putting the cache back in the
  /// commit's hook (not at the end of the transaction's work) keeps the units advanced by `boom` out of the next batch.
  @Test func batchFailingAtCommitDropsTheCache() async throws {
    defer { harness.remove() }
    try await expectFailingBatchLeavesNoTrace(
      setUp: """
        CREATE TABLE test_parent (id TEXT PRIMARY KEY);
        CREATE TABLE test_child (parent TEXT REFERENCES test_parent (id) DEFERRABLE INITIALLY DEFERRED);
        CREATE TRIGGER test_orphan AFTER INSERT ON events WHEN NEW.event_id = 'boom'
        BEGIN INSERT INTO test_child (parent) VALUES ('missing'); END
        """,
      afterFailure: nil, "after the batch that failed at commit and the next")
  }

  /// Caches `c1` with a first batch, runs `setUp`, then a batch (events `boom` and `boom-2`) that `setUp` makes fail:
  /// the ingest throws, the cache is dropped and nothing of the batch is stored; after `afterFailure` the next batch's
  /// totals agree with the results query and `c1` is cached again.
  func expectFailingBatchLeavesNoTrace(setUp: String, afterFailure: String?, _ label: String) async throws {
    try await ingest(LiveCacheTests.events("a", value: 10))
    #expect(cached("c1"))
    try await store.pool.write { db in try db.execute(sql: setUp) }
    let failing = IngestBatch.events([
      EventRow(id: "boom", unit: "c1", metric: "spend", value: 1_000_000, time: LiveTotalsTests.time(50)),
      EventRow(id: "boom-2", unit: "c2", metric: "minutes", value: 7, time: LiveTotalsTests.time(50)),
    ])
    await #expect(throws: (any Error).self) {
      try await store.ingest([failing], plans: plans, consent: .none)
    }
    #expect(store.liveCache.withLock { $0 == nil })
    if let afterFailure { try await store.pool.write { db in try db.execute(sql: afterFailure) } }
    let stored = try await store.pool.read { db in
      try Int.fetchOne(db, sql: "SELECT count(*) FROM events WHERE event_id LIKE 'boom%'")
    }
    #expect(stored == 0)
    try await ingest(LiveCacheTests.events("b", value: 200))
    try await expectTotalsAgree(label)
    #expect(cached("c1"))
  }

  /// The totals' bits do not depend on the order the units come in.
  ///
  /// Their cells are sums of doubles, so the units are applied in one order (their ids'), not in a `Set`'s (which
  /// differs between processes, hash seeding, and between two sets of the same units). Two stores are given the same
  /// units in opposite orders, through each path: recomputed (exposures), advanced from rows read (the first events)
  /// and from cached rows (the next events).
  @Test func totalsBitsDoNotDependOnTheUnitsOrder() async throws {
    defer { harness.remove() }
    let otherHarness = try TestService(only: [], extra: ["live.yaml": LiveTotalsTests.definition])
    defer { otherHarness.remove() }
    let other = try await LiveCacheTests.prepared(otherHarness)
    try await ingest(LiveCacheTests.exposures, into: other)
    let units = (0..<300).map { "o\($0)" }
    func events(_ tag: String, _ order: [String]) -> IngestBatch {
      .events(
        order.flatMap { unit in
          // Values none of whose sums is exact.
          let index = Int(unit.dropFirst())!
          let value = 0.1 * Double(index) + 1 / Double(index + 3)
          return [
            EventRow(
              id: "\(tag)-s-\(unit)", unit: unit, metric: "spend", value: value, time: LiveTotalsTests.time(10)),
            EventRow(
              id: "\(tag)-m-\(unit)", unit: unit, metric: "minutes", value: 3.7 * value,
              time: LiveTotalsTests.time(20)),
          ]
        })
    }
    /// The stored totals' bytes: the shifts and every cell.
    func bytes(_ store: SQLiteStore) async throws -> [String] {
      try await store.pool.read { db in
        try String.fetchAll(
          db,
          sql: """
            SELECT 'shifts ' || hex(shifts) FROM live_experiments WHERE experiment_id = 'live-window'
            UNION ALL
            SELECT variant || ' ' || segment || ' ' || hex(totals) FROM live_cells WHERE experiment_id = 'live-window'
            ORDER BY 1
            """)
      }
    }
    for (step, batch) in [(0, "exposures"), (1, "events a"), (2, "events b")] {
      let forward: IngestBatch
      let backward: IngestBatch
      switch step {
      case 0: (forward, backward) = (LiveCacheTests.exposures(units), LiveCacheTests.exposures(units.reversed()))
      case 1: (forward, backward) = (events("a", units), events("a", units.reversed()))
      default: (forward, backward) = (events("b", units), events("b", units.reversed()))
      }
      try await ingest(forward)
      try await ingest(backward, into: other)
      if step == 2 { #expect(cached("o7")) }
      let (one, two) = (try await bytes(store), try await bytes(other))
      #expect(one.count > 1)
      #expect(one == two, "after the \(batch)")
      try await expectTotalsAgree("after the \(batch)")
    }
  }
}
