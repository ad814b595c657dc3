import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import StrataWarehouse
import Testing

@testable import StrataServer

/// Running totals that held a value beyond ±1e50 (stored before such values were refused, or written behind the
/// service's back): its square is ∞, and as a metric's first value it is the shift that makes every other square ∞.
@Suite struct NotFiniteTotalsTests {
  static let experiment = "gym-renewal-2026"

  /// The results' status, their revenue rows' `(lift_abs, p_value)` by "segment variant", and the body.
  static func revenue(_ client: any TestClientProtocol) async throws -> (
    status: HTTPResponse.Status, rows: [String: (lift: Double, p: Double)], body: String
  ) {
    let results = try await client.execute(uri: "/v1/experiments/\(experiment)/results", method: .get)
    var rows: [String: (lift: Double, p: Double)] = [:]
    if results.status == .ok, case .array(let items)? = try results.body.json["results"] {
      for item in items where item["metric"] == .string("revenue") {
        guard case .string(let variant)? = item["variant"], case .number(let lift)? = item["lift_abs"],
          case .number(let p)? = item["p_value"]
        else { continue }
        let segment: String
        if case .string(let name)? = item["segment"] { segment = name } else { segment = "all" }
        rows["\(segment) \(variant)"] = (lift, p)
      }
    }
    return (results.status, rows, String(buffer: results.body))
  }

  /// Erasing a unit with a revenue of 1e155, or the unit whose 1e12 is the shift, leaves the others' results at once,
  /// and again from rebuilt totals.
  ///
  /// At once from the results query, then the same from the totals the next pass makes. Before, the totals kept NaN
  /// (∞ − ∞) or, when that unit's value was the shift, every other unit's ∞, and the results stopped with 409 until
  /// the totals were made again for another reason; with 1e12 as the shift (review F1, 13:45) the others' variances
  /// lost their digits (0 in the cells of that unit's segment: "no variation to test against") and the results
  /// answered 200. `first`: the unit first in id order (its value becomes the shift when the totals are built), else a
  /// later one; `moved`: the unit gets another event after the build, so its value is no longer the shift itself
  /// (review F3).
  @Test(
    "erasing a unit with a value beyond ±1e50 or at a far shift answers at once, and the same from the rebuilt totals",
    arguments: [(1e155, true, false), (1e155, false, false), (1e12, true, false), (1e12, true, true)])
  func erasingALargeValueSetsTheTotalsAside(value: Double, first: Bool, moved: Bool) async throws {
    let harness = try TestService()
    defer { harness.remove() }
    let store = try #require(harness.service.store as? SQLiteStore)
    try await harness.test { client in
      let units = try ResultsTests.units(harness, count: 60)
      let renewed = units.filter { $0.renewed == 1 }.sorted { $0.id < $1.id }
      let unit = try #require(first ? units.min { $0.id < $1.id } : renewed.dropFirst(2).first)
      try #require(!first || unit.renewed == 1, "the first unit in id order is a renewed one")
      try await ResultsTests.send(units, client)
      let plan = try #require(
        LivePlans(catalog: harness.service.catalog, dialect: .sqlite).byExperiment[Self.experiment])
      let query = try CellQuery(
        plan: plan.plan, dialect: .sqlite, source: .events(exposures: "exposures", events: "events"))
      _ = try await LiveTotalsTests.pass(harness.service, store)
      // Written behind the service's back, then taken in by the build's pass.
      try await store.pool.write { db in
        try db.execute(
          sql: """
            INSERT INTO events (event_id, unit_id, metric, value, occurred_at)
            SELECT 'outside', unit_id, 'revenue', ?, exposed_at FROM exposures WHERE unit_id = ?
            """, arguments: [value, unit.id])
      }
      #expect(try await LiveTotalsTests.pass(harness.service, store).started[Self.experiment] == "outside_writes")
      #expect(try await store.liveResult(plan, query: query) != nil)
      if moved {
        // Another event of the unit after the build: its value is no longer the shift (review F3).
        let event = #"{"events": [{"id": "more", "unit": "\#(unit.id)", "metric": "revenue", "value": 5}]}"#
        let stored = try await client.execute(uri: "/v1/events", method: .post, body: body(event))
        #expect(try stored.body.json["stored"] == .integer(1))
      }
      if !value.isFinite || value * value == .infinity {
        let refused = try await Self.revenue(client)
        #expect(refused.status == .conflict, "\(refused.body.prefix(300))")
        #expect(refused.body.contains("revenue_sum_sq = inf"), "\(refused.body.prefix(300))")
      }

      let erased = try await client.execute(
        uri: "/v1/erasure", method: .post, body: body(#"{"unit": "\#(unit.id)"}"#))
      #expect(erased.status == .ok)
      #expect(try await store.liveTotalsCoverage().experiments[Self.experiment]?.key == LiveTotals.notFiniteKey)
      #expect(try await store.liveResult(plan, query: query) == nil, "set aside: the results query answers")
      let fromQuery = try await Self.revenue(client)
      #expect(fromQuery.status == .ok, "\(fromQuery.body.prefix(300))")
      #expect(fromQuery.rows.count == 8, "\(fromQuery.rows)")
      #expect(!fromQuery.body.contains("no variation"), "\(fromQuery.body.prefix(300))")

      #expect(try await LiveTotalsTests.pass(harness.service, store).started == [Self.experiment: "not_finite"])
      #expect(try await store.liveResult(plan, query: query) != nil, "the results come from the totals again")
      let fromTotals = try await Self.revenue(client)
      #expect(fromTotals.status == .ok, "\(fromTotals.body.prefix(300))")
      #expect(fromTotals.rows.count == fromQuery.rows.count)
      for (key, expected) in fromQuery.rows {
        guard let row = fromTotals.rows[key] else {
          Issue.record("no row \(key) from the totals")
          continue
        }
        #expect(
          abs(row.lift - expected.lift) <= 1e-9 * max(1, abs(expected.lift)), "\(key): \(row.lift) for \(expected.lift)"
        )
        #expect(abs(row.p - expected.p) <= 1e-9 * max(1e-300, expected.p), "\(key): p \(row.p) for \(expected.p)")
      }
      // Nothing stale is left: the next pass builds nothing.
      #expect(try await LiveTotalsTests.pass(harness.service, store).isEmpty)
    }
  }

  /// Erasing an ordinary unit from finite totals keeps them (no rebuild).
  @Test func erasingAnOrdinaryUnitKeepsTheTotals() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    let store = try #require(harness.service.store as? SQLiteStore)
    try await harness.test { client in
      let units = try ResultsTests.units(harness, count: 60)
      try await ResultsTests.send(units, client)
      _ = try await LiveTotalsTests.pass(harness.service, store)
      let erased = try await client.execute(
        uri: "/v1/erasure", method: .post, body: body(#"{"unit": "\#(units[3].id)"}"#))
      #expect(erased.status == .ok)
      let key = try await store.liveTotalsCoverage().experiments[Self.experiment]?.key
      #expect(key != nil && key != LiveTotals.notFiniteKey)
      #expect(try await LiveTotalsTests.pass(harness.service, store).isEmpty)
      #expect(try await Self.revenue(client).status == .ok)
    }
  }
}
