import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import StrataAnalysis
import StrataReport
import StrataWarehouse
import Testing

@testable import StrataServer

/// The running totals sum each cell's values about that cell's own shift (its first value), not one shift per
/// experiment (review F4): a far first value (1e12 among revenues of about 300) left every other cell's variance at 0
/// ("no variation to test against", 200) when its value was the shift of them all.
@Suite struct CellShiftTests {
  static let experiment = "gym-renewal-2026"

  /// Units of gym-renewal-2026 (``ResultsTests/units(_:count:from:)``): the first in id order renewed with a revenue
  /// of 1e12, and every unit of (medium, control) renewed with the same revenue, 305.7.
  static func units(_ harness: TestService, count: Int = 600) throws -> [ResultsTests.Unit] {
    var units = try ResultsTests.units(harness, count: count)
    let first = try #require(units.indices.min { units[$0].id < units[$1].id })
    units[first].renewed = 1
    units[first].revenue = 1e12
    for index in units.indices where units[index].segment == "medium" && units[index].variant == "control" {
      units[index].renewed = 1
      units[index].revenue = 305.7
    }
    return units
  }

  /// Sends the units' events first, then their exposures (500 per request), as the reviewer did: each unit enters its
  /// cell with its value, so the first unit in id order of a cell's first request sets its shift (and, before, the
  /// first of all set the one shift).
  static func send(_ units: [ResultsTests.Unit], _ client: any TestClientProtocol) async throws {
    let renewed = units.filter { $0.renewed == 1 }
    for chunk in stride(from: 0, to: renewed.count, by: 250).map({ renewed[$0..<min($0 + 250, renewed.count)] }) {
      let events = chunk.flatMap { unit in
        [
          #"{"id": "r-\#(unit.id)", "unit": "\#(unit.id)", "metric": "renewed", "value": 1, "time": "2026-11-05T09:00:00Z"}"#,
          #"{"id": "v-\#(unit.id)", "unit": "\#(unit.id)", "metric": "revenue", "value": \#(unit.revenue), "time": "2026-11-05T09:00:00Z"}"#,
        ]
      }
      let stored = try await client.execute(
        uri: "/v1/events", method: .post, body: body(#"{"events": [\#(events.joined(separator: ","))]}"#))
      #expect(stored.status == .ok)
    }
    for chunk in stride(from: 0, to: units.count, by: 500).map({ units[$0..<min($0 + 500, units.count)] }) {
      let exposures = chunk.map {
        #"{"id": "x-\#($0.id)", "experiment": "gym-renewal-2026", "unit": "\#($0.id)", "variant": "\#($0.variant)", "segment": "\#($0.segment)", "time": "2026-11-01T09:00:00Z"}"#
      }
      let response = try await client.execute(
        uri: "/v1/exposures", method: .post, body: body(#"{"exposures": [\#(exposures.joined(separator: ","))]}"#))
      #expect(response.status == .ok)
    }
  }

  /// Runs `body` on a new service (SQLite) whose running totals were built, empty, as at its start, and then kept by
  /// ingestion of `count` of ``units(_:count:)`` (``send(_:_:)``); `body` gets the service, its store, its client and
  /// the units sent.
  static func afterSending(
    count: Int = 600,
    _ body:
      @escaping @Sendable (TestService, SQLiteStore, any TestClientProtocol, [ResultsTests.Unit]) async throws
      -> Void
  ) async throws {
    let harness = try TestService()
    defer { harness.remove() }
    let store = try #require(harness.service.store as? SQLiteStore)
    let units = try Self.units(harness, count: count)
    try await harness.test { client in
      #expect(try await LiveTotalsTests.pass(harness.service, store).started[Self.experiment] == "missing")
      try await Self.send(units, client)
      try await body(harness, store, client, units)
    }
  }

  /// The plan, its results query, and the totals' cells read as the results read them (nil: not complete).
  static func kept(_ harness: TestService, _ store: SQLiteStore) async throws -> (
    plan: LivePlan, query: CellQuery, summary: DataSummary?
  ) {
    let plan = try #require(
      LivePlans(catalog: harness.service.catalog, dialect: .sqlite).byExperiment[Self.experiment])
    let query = try CellQuery(
      plan: plan.plan, dialect: .sqlite, source: .events(exposures: "exposures", events: "events"))
    let summary = try await store.liveResult(plan, query: query).map {
      try query.summary(of: $0, source: "totals")
    }
    return (plan, query, summary)
  }

  /// The analysis at look 1 of cells (as the service analyses its totals) and of the units as a unit-level CSV
  /// (``ResultsTests/cliAnalysis(_:_:)``) differ in `srm`, `results` or `pooled`: the first difference (nil: none).
  static func difference(_ summary: DataSummary, _ units: [ResultsTests.Unit], _ harness: TestService) throws
    -> String?
  {
    let entry = try #require(harness.service.catalog[Self.experiment])
    var analysis = try Analyzer(plan: entry.analysisPlan, look: 1).analyze(summary)
    var lookGuard = SequentialGuard(plan: entry.analysisPlan, look: 1, log: InMemoryLookStore())
    try lookGuard.apply(to: &analysis)
    let fromTotals = try JSON.parse(Array(AnalysisJSON.value(analysis).serialized(pretty: false).utf8))
    let reference = try ResultsTests.cliAnalysis(units, harness)
    for key in ["srm", "results", "pooled"] {
      if let problem = ResultsTests.agree(fromTotals[key], reference[key], key) { return problem }
    }
    return nil
  }

  /// The revenue rows of an analysis' `results` with a standard deviation of 0, as "segment variant side".
  static func noSpread(_ json: JSON) -> [String] {
    guard case .array(let rows)? = json["results"] else { return ["no results"] }
    return rows.flatMap { row -> [String] in
      guard row["metric"] == .string("revenue") else { return [] }
      let name = "\(row["segment"].map { $0.serialized() } ?? "all") \(row["variant"].map { $0.serialized() } ?? "")"
      return ["control", "treatment"].filter { side in
        row["sd_\(side)"] == .integer(0) || row["sd_\(side)"] == .number(0)
      }.map { "\(name) \($0)" }
    }
  }

  /// A first value of 1e12 (the first unit in id order) leaves the other cells' variances as `strata analyze` of the
  /// same units as a CSV has them: at a planned look, `srm`, `results`, `pooled`, `verdict` and `decision` within
  /// 1e-9 (relative), from totals kept by ingestion and again from totals built afresh.
  ///
  /// Before, that value was the one shift of every cell: the other cells' sds read 0 ("no variation to test
  /// against") or noise, with a 200.
  @Test func aFarFirstValueLeavesTheOtherCellsAsAnalyzeHasThem() async throws {
    try await Self.afterSending { harness, store, client, units in
      let reference = try ResultsTests.cliAnalysis(units, harness)
      let (plan, _, summary) = try await Self.kept(harness, store)
      let kept = try #require(summary, "the results come from the running totals")
      // Each cell's shift is its own first value: 1e12 only in the far unit's cell.
      let revenue = try #require(plan.plan.columns.firstIndex { $0.column == "revenue" })
      let cells = try await store.pool.read { db in
        try Row.fetchAll(db, sql: "SELECT totals FROM live_cells WHERE experiment_id = ?", arguments: [Self.experiment])
          .map { LiveTotals.shift(LiveTotals.doubles($0["totals"] as Data), column: revenue, width: plan.width) }
      }
      #expect(cells.count == 9 && cells.filter { $0 == 1e12 }.count == 1, "\(cells)")
      #expect(try Self.difference(kept, units, harness) == nil)

      let look = try await client.execute(uri: "/v1/experiments/\(Self.experiment)/looks", method: .post)
      #expect(look.status == .ok)
      let recorded = try look.body.json
      for key in ["srm", "results", "pooled", "verdict", "decision"] {
        let problem = ResultsTests.agree(recorded[key], reference[key], key)
        #expect(problem == nil, "\(problem ?? "")")
      }
      // (medium, control) holds one value: its sd is 0, exactly, as the CSV's; no other revenue row is without spread.
      #expect(Self.noSpread(recorded) == Self.noSpread(reference))
      #expect(Self.noSpread(reference).count == 2, "\(Self.noSpread(reference))")

      // Built afresh (unit id order), the same.
      #expect(try await store.buildLiveTotals(plan, units: 1_000, restart: true, recount: false))
      let rebuilt = try #require(try await Self.kept(harness, store).summary)
      #expect(try Self.difference(rebuilt, units, harness) == nil)
    }
  }

  /// A cell whose values are all equal has an sd of exactly 0 in the totals (its shift is that value), whatever the
  /// other cells hold.
  ///
  /// Before, its 70 values of 305.7 were summed about the one shift 1e12: M2 read 8,589,934,592 (the rounding of
  /// squares near 1e24), an sd of about 11,000.
  @Test func aCellOfEqualValuesHasNoSpread() async throws {
    try await Self.afterSending { harness, store, _, units in
      let (plan, _, summary) = try await Self.kept(harness, store)
      let kept = try #require(summary)
      let revenue = try #require(plan.plan.columns.firstIndex { $0.column == "revenue" })
      let control = try #require(plan.plan.variants.firstIndex(of: "control"))
      let medium = try #require(plan.plan.segments.firstIndex(of: "medium"))
      let cell = kept.statistics.metric(revenue, variant: control, segment: medium)
      #expect(cell.count == Double(units.filter { $0.segment == "medium" && $0.variant == "control" }.count))
      #expect(cell.mean == 305.7 && cell.m2 == 0 && cell.standardDeviation == 0, "\(cell)")
    }
  }

  /// Erasing the unit whose value is its cell's shift: an ordinary value keeps the totals (the cell's others are near
  /// it), 1e12 sets them aside until the next pass makes them again (`not_finite`); both times the results are
  /// `strata analyze` of the units left.
  @Test func erasingACellsShiftUnit() async throws {
    try await Self.afterSending { harness, store, client, sent in
      var units = sent
      let plan = try await Self.kept(harness, store).plan
      let revenue = try #require(plan.plan.columns.firstIndex { $0.column == "revenue" })
      // A cell's shift is the value of its first unit in id order of the first request that exposed its units.
      let firstRequest = Set(units.prefix(500).map(\.id))
      func shiftUnit(_ variant: String, _ segment: String) async throws -> ResultsTests.Unit {
        let unit = try #require(
          units.filter { $0.variant == variant && $0.segment == segment && firstRequest.contains($0.id) }
            .min { $0.id < $1.id })
        let shift = try await store.pool.read { db in
          try Data.fetchOne(
            db, sql: "SELECT totals FROM live_cells WHERE experiment_id = ? AND variant = ? AND segment = ?",
            arguments: [Self.experiment, variant, segment]
          ).flatMap { LiveTotals.shift(LiveTotals.doubles($0), column: revenue, width: plan.width) }
        }
        #expect(shift == (unit.renewed == 1 ? unit.revenue : 0), "\(unit.id)")
        return unit
      }
      let ordinary = try await shiftUnit("reminder_social", "low")
      #expect(ordinary.renewed == 1 && ordinary.revenue < 1_000)
      let far = try #require(units.first { $0.revenue == 1e12 })
      #expect(try await shiftUnit(far.variant, far.segment).id == far.id)

      for (unit, setAside) in [(ordinary, false), (far, true)] {
        let erased = try await client.execute(
          uri: "/v1/erasure", method: .post, body: body(#"{"unit": "\#(unit.id)"}"#))
        #expect(erased.status == .ok)
        units.removeAll { $0.id == unit.id }
        let key = try await store.liveTotalsCoverage().experiments[Self.experiment]?.key
        #expect((key == LiveTotals.notFiniteKey) == setAside, "\(unit.id)")
        let pass = try await LiveTotalsTests.pass(harness.service, store)
        #expect(pass.started == (setAside ? [Self.experiment: "not_finite"] : [:]))
        let summary = try #require(try await Self.kept(harness, store).summary)
        let problem = try Self.difference(summary, units, harness)
        #expect(problem == nil, "after erasing \(unit.id): \(problem ?? "")")
      }
    }
  }

  /// The unit whose 1e12 is its cell's shift moves to another cell (an earlier exposure with another segment): the
  /// cell it left is summed about a value it no longer holds, so ingestion sets the totals aside and the next pass
  /// makes them again; the results are then `strata analyze` of the units as they now are.
  @Test func aShiftUnitThatLeavesItsCellSetsTheTotalsAside() async throws {
    try await Self.afterSending { harness, store, client, sent in
      var units = sent
      let plan = try await Self.kept(harness, store).plan
      let index = try #require(units.firstIndex { $0.revenue == 1e12 })
      let other = units[index].segment == "low" ? "high" : "low"
      let unit = units[index]
      let moved =
        #"{"id": "x-moved", "experiment": "gym-renewal-2026", "unit": "\#(unit.id)", "variant": "\#(unit.variant)", "#
        + #""segment": "\#(other)", "time": "2026-10-31T09:00:00Z"}"#
      let response = try await client.execute(
        uri: "/v1/exposures", method: .post, body: body(#"{"exposures": [\#(moved)]}"#))
      #expect(response.status == .ok)
      units[index].segment = other
      #expect(try await store.liveTotalsCoverage().experiments[Self.experiment]?.key == LiveTotals.notFiniteKey)
      #expect(try await LiveTotalsTests.pass(harness.service, store).started == [Self.experiment: "not_finite"])
      #expect(try await store.liveTotalsCoverage().experiments[Self.experiment]?.key == plan.key)
      let summary = try #require(try await Self.kept(harness, store).summary)
      let problem = try Self.difference(summary, units, harness)
      #expect(problem == nil, "\(problem ?? "")")
      // Ordinary ingestion afterwards keeps them.
      let more = #"{"events": [{"id": "more", "unit": "\#(units[3].id)", "metric": "revenue", "value": 2}]}"#
      #expect(try await client.execute(uri: "/v1/events", method: .post, body: body(more)).status == .ok)
      #expect(try await store.liveTotalsCoverage().experiments[Self.experiment]?.key == plan.key)
    }
  }

  /// Totals stored under the earlier layout (one shift per experiment: key `strata-live-3`) are made again once
  /// (`plan_changed`), never read with the new meaning; meanwhile the results run their query.
  @Test func totalsOfTheEarlierLayoutAreMadeAgain() async throws {
    try await Self.afterSending(count: 300) { harness, store, client, units in
      let (plan, query, _) = try await Self.kept(harness, store)
      // What the earlier release stored for this plan: its key, the one shift (the first unit's 1e12), cells of sums
      // and compensations alone.
      let earlier = Self.earlierKey(plan)
      #expect(earlier != plan.key)
      try await store.pool.write { db in
        try db.execute(
          sql: "UPDATE live_experiments SET plan_key = ?, shifts = ? WHERE experiment_id = ?",
          arguments: [earlier, Data(LiveTotals.bytes([.nan, 1e12])), Self.experiment])
        for row in try Row.fetchAll(db, sql: "SELECT variant, segment, totals FROM live_cells") {
          let totals = LiveTotals.doubles(row["totals"] as Data)
          try db.execute(
            sql: "UPDATE live_cells SET totals = ? WHERE variant = ? AND segment = ?",
            arguments: [
              Data(LiveTotals.bytes(Array(totals.prefix(2 * plan.width)))), row["variant"] as String,
              row["segment"] as String,
            ])
        }
      }
      #expect(try await store.liveResult(plan, query: query) == nil, "not read: the results run their query")
      // Ingestion leaves them alone.
      var now = units
      let index = try #require(now.firstIndex { $0.renewed == 1 && $0.revenue < 1_000 })
      let more = #"{"events": [{"id": "more", "unit": "\#(now[index].id)", "metric": "revenue", "value": 2}]}"#
      #expect(try await client.execute(uri: "/v1/events", method: .post, body: body(more)).status == .ok)
      now[index].revenue += 2
      #expect(try await store.liveTotalsCoverage().experiments[Self.experiment]?.key == earlier)
      #expect(try await LiveTotalsTests.pass(harness.service, store).started == [Self.experiment: "plan_changed"])
      let summary = try #require(try await Self.kept(harness, store).summary)
      let problem = try Self.difference(summary, now, harness)
      #expect(problem == nil, "\(problem ?? "")")
      #expect(try await LiveTotalsTests.pass(harness.service, store).isEmpty)
      let metrics = String(decoding: harness.service.metrics.render(), as: UTF8.self)
      #expect(metrics.contains(#"strata_live_totals_builds_total{reason="plan_changed"} 1"#))
    }
  }

  /// The key the earlier layout (`strata-live-3`: one shift per experiment) gave a plan, spelt as that release made it.
  static func earlierKey(_ plan: LivePlan) -> String {
    var shape = "strata-live-3\n\(plan.dialect)\n\(plan.plan.segments.count == 1 ? plan.plan.segments[0] : "*")\n"
    for (metric, column) in zip(plan.columns, plan.eventColumns) {
      shape += "\(column.event)\t\(metric.kind.name)\t\(metric.missing)\t\(column.window?.seconds ?? -1)"
      shape += column.period == .beforeExposure ? "\tbefore\n" : "\n"
    }
    for pair in plan.plan.crossProducts { shape += "x\t\(pair.first)\t\(pair.second)\n" }
    for shift in plan.fixedShifts { shape += "k\t\(shift.map { "\($0)" } ?? "first")\n" }
    shape += "e\t\(plan.eventMetrics.sorted().joined(separator: "\t"))\n"
    return Catalog.sha256(shape.utf8)
  }
}
