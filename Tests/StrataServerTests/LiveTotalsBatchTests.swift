import Foundation
import GRDB
import Testing

@testable import StrataServer

/// The running totals when one transaction touches more units than one statement carries (SQLite reads and writes
/// them in lists of ``SQLiteStore/unitsPerList`` and chunks of ``SQLiteStore/storeChunks``): after each such
/// transaction the cells are those of the event-level results query, and each unit's stored row is the one a
/// recomputation from its rows makes.
@Suite struct LiveTotalsBatchTests {
  @Test func transactionsOfManyUnitsKeepTheTotals() async throws {
    let harness = try TestService(only: [], extra: ["live.yaml": LiveTotalsTests.definition])
    defer { harness.remove() }
    let store = try await LiveCacheTests.prepared(harness)
    let plans = LivePlans(catalog: harness.service.catalog, dialect: .sqlite)
    let plan = try #require(plans.byExperiment["live-window"])
    // 333 units: more than two lists, and a count whose binary form uses most chunk sizes; every 50th unit is
    // exposed to both variants (excluded), and u7 to none (its events touch nothing).
    let units = (0..<334).filter { $0 != 7 }.map { "u\($0)" }
    var exposures: [ExposureRow] = []
    for (index, unit) in units.enumerated() {
      for variant in index % 50 == 0 ? ["control", "treatment"] : [index % 2 == 0 ? "control" : "treatment"] {
        exposures.append(
          ExposureRow(
            id: "x-\(unit)-\(variant)", experiment: "live-window", unit: unit, variant: variant,
            segment: index % 3 == 0 ? "heavy" : "light", time: LiveTotalsTests.time(index), definitionHash: "test"))
      }
    }
    _ = try await store.ingest([.exposures(exposures)], plans: plans, consent: .none)
    let metrics = ["converted", "spend", "minutes", "basket", "items", "minutes_before"]
    for round in 0..<3 {
      // Three batches in one transaction (group commit), each with events of most units, some twice, one of them
      // before its unit's exposure (a covariate's: the unit is recomputed from its rows) in round 1.
      var batches: [IngestBatch] = []
      for part in 0..<3 {
        var events: [EventRow] = []
        for (index, unit) in (units + ["u7"]).enumerated() where (index + part + round) % 4 != 0 {
          let metric = metrics[(index + part + round) % metrics.count]
          let value = metric == "converted" ? Double((index + round) % 2) : Double(index % 17) + 0.25 * Double(part)
          let minutes = index + (round == 1 && index % 9 == 0 ? -30 : 60 * (part + 1) + round)
          events.append(
            EventRow(
              id: "e-\(round)-\(part)-\(unit)", unit: unit, metric: metric, value: value,
              time: LiveTotalsTests.time(minutes)))
        }
        batches.append(.events(events))
      }
      let outcomes = try await store.ingest(batches, plans: plans, consent: .none)
      #expect(outcomes.map(\.stored) == batches.map(\.count))
      let difference = try await LiveTotalsTests.compare(store, plan)
      #expect(difference == nil, "round \(round): \(difference ?? "")")
    }
    // Each kept unit's row is the one its recomputation from its rows makes (under its cell's stored shifts).
    let problems = try await store.pool.read { db -> [String] in
      guard let totals = try SQLiteStore.loadTotals(db, experiment: plan.experiment) else { return ["no totals"] }
      var shifted = totals
      var problems: [String] = []
      func close(_ x: [Double?], _ y: [Double?]) -> Bool {
        x.count == y.count
          && zip(x, y).allSatisfy { a, b in
            guard let a, let b else { return a == nil && b == nil }
            return Swift.abs(a - b) <= 1e-9 * Swift.max(1, Swift.abs(b))
          }
      }
      for unit in units {
        let row = try Row.fetchOne(db, sql: plan.unitSQL, arguments: [plan.experiment, unit]).map {
          SQLiteStore.unitRow($0, plan: plan)
        }
        guard let expected = plan.unit(row, totals: &shifted),
          let kept = try Row.fetchOne(
            db,
            sql: """
              SELECT variant, segment, is_excluded, contribution, memo FROM live_units
              WHERE experiment_id = ? AND unit_id = ?
              """, arguments: [plan.experiment, unit])
        else {
          problems.append("\(unit): no row")
          continue
        }
        let memo = (kept[4] as String?).flatMap { LivePlan.Memo(text: $0, columns: plan.columns.count) }
        let expectedMemo = plan.memo(row, state: expected).flatMap {
          LivePlan.Memo(text: $0, columns: plan.columns.count)
        }
        if (kept[0] as String) != expected.variant || (kept[1] as String) != expected.segment
          || (kept[2] as Int) != expected.state.stored
          || !close(LiveTotals.doubles(kept[3] as Data), expected.contribution)
          || memo?.bounds != expectedMemo?.bounds || !close(memo?.values ?? [], expectedMemo?.values ?? [])
          || (memo == nil) != (expectedMemo == nil)
        {
          problems.append("\(unit): stored \(kept), recomputed \(expected)")
        }
      }
      return problems
    }
    #expect(problems.isEmpty, "\(problems.prefix(3))")
    let excluded = try await store.pool.read { db in
      try Int.fetchOne(db, sql: "SELECT count(*) FROM live_units WHERE is_excluded = 1")
    }
    #expect(excluded == 7)
  }
}
