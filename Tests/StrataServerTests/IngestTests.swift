import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import StrataAssignment
import StrataWarehouse
import Synchronization
import Testing

@testable import StrataServer

@Suite struct IngestTests {
  /// A unit of gym-renewal-2026 in segment "high" and the variant the definition gives it there.
  static func assigned(_ harness: TestService, unit: String, segment: String = "high") throws -> String {
    let experiment = try #require(harness.service.catalog["gym-renewal-2026"]).experiment
    let index = try #require(experiment.segmentNames.firstIndex(of: segment))
    let bucket = Int(experiment.variantHash(unit: unit) % 10_000)
    return experiment.variants[try #require(experiment.layouts[index].variant(forBucket: bucket))].key
  }

  static func exposure(_ harness: TestService, id: String, unit: String, time: String? = nil) throws -> String {
    let variant = try assigned(harness, unit: unit)
    let at = time.map { ", \"time\": \"\($0)\"" } ?? ""
    return
      #"{"id": "\#(id)", "experiment": "gym-renewal-2026", "unit": "\#(unit)", "variant": "\#(variant)", "segment": "high"\#(at)}"#
  }

  static func rows(_ harness: TestService, _ sql: String) async throws -> [Row] {
    let store = try #require(harness.service.store as? SQLiteStore)
    return try store.pool.read { db in try Row.fetchAll(db, sql: sql) }
  }

  @Test func exposuresAreStoredOnceAndRetriesAreDuplicates() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    let items = try (0..<50).map { try IngestTests.exposure(harness, id: "x-\($0)", unit: "M-\($0)") }
    let batch = #"{"exposures": [\#(items.joined(separator: ","))]}"#
    try await harness.test { client in
      let first = try await client.execute(uri: "/v1/exposures", method: .post, body: body(batch))
      #expect(first.status == .ok)
      #expect(try first.body.json["stored"] == .integer(50))
      let retry = try await client.execute(uri: "/v1/exposures", method: .post, body: body(batch))
      #expect(try retry.body.json["stored"] == .integer(0))
      #expect(try retry.body.json["duplicates"] == .integer(50))
      // New ids for units already exposed to the same variant: counted as repeats, the earliest kept.
      let again = try IngestTests.exposure(harness, id: "y-1", unit: "M-1", time: "2026-01-01T00:00:00Z")
      let repeated = try await client.execute(
        uri: "/v1/exposures", method: .post, body: body(#"{"exposures": [\#(again)]}"#))
      #expect(try repeated.body.json["stored"] == .integer(1))
    }
    let stored = try await IngestTests.rows(
      harness, "SELECT count(*) AS n, sum(repeats) AS r FROM exposures WHERE experiment_id = 'gym-renewal-2026'")
    #expect(stored[0]["n"] == 50)
    #expect(stored[0]["r"] == 1)
    let first = try await IngestTests.rows(harness, "SELECT exposed_at FROM exposures WHERE unit_id = 'M-1'")
    #expect(first[0]["exposed_at"] == "2026-01-01 00:00:00.000")
    let ids = try await IngestTests.rows(harness, "SELECT count(*) AS n FROM exposure_ids")
    #expect(ids[0]["n"] == 51)
  }

  @Test func aBadItemFailsTheWholeBatchNamingItsIndexAndField() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    let good = try IngestTests.exposure(harness, id: "g-1", unit: "M-1")
    let unit = "M-2"
    let right = try IngestTests.assigned(harness, unit: unit)
    let wrong = ["control", "reminder_progress", "reminder_social"].first { $0 != right } ?? ""
    let cases: [(String, HTTPResponse.Status, String)] = [
      (
        #"{"exposures": [\#(good), {"id": "b", "experiment": "nope", "unit": "u", "variant": "a"}]}"#,
        .badRequest, "exposures[1].experiment"
      ),
      (
        #"{"exposures": [\#(good), {"id": "b", "experiment": "gym-renewal-2026", "unit": "u", "variant": "zz", "segment": "high"}]}"#,
        .badRequest, "exposures[1].variant"
      ),
      (
        #"{"exposures": [\#(good), {"id": "b", "experiment": "gym-renewal-2026", "unit": "\#(unit)", "variant": "\#(wrong)", "segment": "high"}]}"#,
        .badRequest, "exposures[1].variant: \"\(wrong)\" disagrees"
      ),
      (
        #"{"exposures": [\#(good), {"id": "b", "experiment": "gym-renewal-2026", "unit": "u", "variant": "control"}]}"#,
        .badRequest, "exposures[1].segment"
      ),
      (
        #"{"exposures": [\#(good), {"id": "b", "experiment": "gym-renewal-2026", "unit": "\#(unit)", "variant": "\#(right)", "segment": "high", "time": "yesterday"}]}"#,
        .badRequest, "exposures[1].time"
      ),
      (
        #"{"exposures": [\#(good), {"id": "b", "experiment": "gym-renewal-2026", "unit": "\#(unit)", "variant": "\#(right)", "segment": "high", "definition": "\#(String(repeating: "a", count: 64))"}]}"#,
        .badRequest, "exposures[1].definition"
      ),
      (
        #"{"exposures": [\#(good), {"id": "", "experiment": "gym-renewal-2026", "unit": "u", "variant": "control"}]}"#,
        .badRequest, "exposures[1].id"
      ),
      (
        #"{"exposures": [\#(good), {"id": "b", "experiment": "gym-renewal-2026", "unit": "u", "variant": "control", "colour": 1}]}"#,
        .badRequest, "exposures[1].colour"
      ),
      (#"{"exposures": [\#(good)"#, .badRequest, "not JSON"),
      (#"{"exposures": []}"#, .badRequest, "empty"),
      (
        #"{"exposures": [\#(Array(repeating: good, count: 1001).joined(separator: ","))]}"#, .contentTooLarge,
        "at most 1000"
      ),
    ]
    try await harness.test { client in
      for (text, status, fragment) in cases {
        let response = try await client.execute(uri: "/v1/exposures", method: .post, body: body(text))
        #expect(response.status == status, "\(fragment)")
        let message = try response.body.json["error"]?["message"]
        guard case .string(let message)? = message else {
          Issue.record("no error message for \(fragment)")
          continue
        }
        #expect(message.contains(fragment), "\(message)")
      }
    }
    let stored = try await IngestTests.rows(harness, "SELECT count(*) AS n FROM exposures")
    #expect(stored[0]["n"] == 0)
  }

  @Test func eventsAreCheckedAndStoredOnce() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    try await harness.test { client in
      for (text, fragment) in [
        (#"{"events": [{"id": "e1", "unit": "M-1", "metric": "revenue", "value": NaN}]}"#, "events[0].value"),
        (
          #"{"events": [{"id": "e0", "unit": "M-1", "metric": "renewed", "value": 1}, {"id": "e1", "unit": "M-1", "metric": "revenue", "value": 1e999}]}"#,
          "events[1].value: must be a finite number"
        ),
        (#"{"events": [{"id": "e1", "unit": "M-1", "metric": "renewed", "value": 2}]}"#, "0/1 metric"),
        (#"{"events": [{"id": "e1", "unit": "M-1", "metric": "clicks", "value": 2}]}"#, "events[0].metric"),
        (#"{"events": [{"id": "e1", "unit": "M-1", "metric": "revenue"}]}"#, "events[0].value: missing"),
        (
          #"{"events": [{"id": "e1", "unit": "M-1", "metric": "revenue", "value": 3, "time": "2026-12-03T10:00:00"}]}"#,
          "time zone"
        ),
      ] {
        let response = try await client.execute(uri: "/v1/events", method: .post, body: body(text))
        #expect(response.status == .badRequest, "\(fragment)")
        guard case .string(let message)? = try response.body.json["error"]?["message"] else {
          Issue.record("no message for \(fragment)")
          continue
        }
        #expect(message.contains(fragment), "\(message)")
      }
      let batch =
        #"{"events": [{"id": "e1", "unit": "M-1", "metric": "renewed", "value": 1, "time": "2026-12-03T11:00:00.25+01:00"}, {"id": "e2", "unit": "M-1", "metric": "revenue", "value": 49.5}]}"#
      let first = try await client.execute(uri: "/v1/events", method: .post, body: body(batch))
      #expect(try first.body.json["stored"] == .integer(2))
      let retry = try await client.execute(uri: "/v1/events", method: .post, body: body(batch))
      #expect(try retry.body.json["duplicates"] == .integer(2))
    }
    let rows = try await IngestTests.rows(harness, "SELECT event_id, occurred_at FROM events ORDER BY event_id")
    #expect(rows.count == 2)
    #expect(rows[0]["occurred_at"] == "2026-12-03 10:00:00.250")
  }

  @Test("an event value beyond ±1e50 is refused: one of 1e155 was stored and the results failed (409) on its square")
  func hugeEventValuesAreRefused() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    let units = try ResultsTests.units(harness, count: 60)
    try await harness.test { client in
      try await ResultsTests.send(units, client)
      let before = try await client.execute(uri: "/v1/experiments/gym-renewal-2026/results", method: .get)
      #expect(before.status == .ok)
      let unit = try #require(units.first { $0.renewed == 1 }).id
      for value in ["1e155", "-1.5e50", "1.7976931348623157e308"] {
        let huge =
          #"{"events": [{"id": "huge-\#(value)", "unit": "\#(unit)", "metric": "revenue", "value": \#(value)}]}"#
        let refused = try await client.execute(uri: "/v1/events", method: .post, body: body(huge))
        let results = try await client.execute(uri: "/v1/experiments/gym-renewal-2026/results", method: .get)
        #expect(results.status == .ok, "after \(value): \(String(buffer: results.body))")
        #expect(refused.status == .badRequest, "\(value)")
        let message = try refused.body.json["error"]?["message"]
        guard case .string(let text)? = message else {
          Issue.record("no message for \(value)")
          continue
        }
        #expect(text.hasPrefix("events[0].value: must be a number between -1e50 and 1e50"), "\(text)")
        #expect(try refused.body.json["error"]?["field"] == .string("value"))
      }
      let edge = #"{"events": [{"id": "edge", "unit": "\#(unit)", "metric": "revenue", "value": -1e50}]}"#
      let accepted = try await client.execute(uri: "/v1/events", method: .post, body: body(edge))
      #expect(try accepted.body.json["stored"] == .integer(1))
      let after = try await client.execute(uri: "/v1/experiments/gym-renewal-2026/results", method: .get)
      #expect(after.status == .ok, "\(String(buffer: after.body))")
    }
  }

  /// A NaN sum of squares in the running totals is 409 `not_analysable`, as ∞ is.
  ///
  /// A value beyond ±1e50 stored before such values were refused (or written behind the service's back) makes a unit's
  /// sum of squares ∞, and replacing that unit in the running totals leaves ∞ − ∞ = NaN: `max(0, NaN)` read it as 0,
  /// and the results answered 200 with wrong numbers. Now the same 409 as the ∞ itself, naming the experiment and
  /// the metric's column.
  @Test("a NaN sum of squares in the running totals is 409 not_analysable, not 200 with wrong numbers")
  func nanSumOfSquaresInTheTotalsIsRefused() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    let units = try ResultsTests.units(harness, count: 60)
    let unit = try #require(units.first { $0.renewed == 1 })
    let store = try #require(harness.service.store as? SQLiteStore)
    try await harness.test { client in
      try await ResultsTests.send(units, client)
      // The running totals, built (the service's pass does it off the request path).
      let plan = try #require(
        LivePlans(catalog: harness.service.catalog, dialect: .sqlite).byExperiment["gym-renewal-2026"])
      while try await !store.buildLiveTotals(plan, units: 1_000, restart: false, recount: false) {}
      let query = try CellQuery(
        plan: plan.plan, dialect: .sqlite, source: .events(exposures: "exposures", events: "events"))
      #expect(try await store.liveResult(plan, query: query) != nil)
      // Written behind the service's back: an event of 1e155 for one renewed unit.
      try await store.pool.write { db in
        try db.execute(
          sql: """
            INSERT INTO events (event_id, unit_id, metric, value, occurred_at)
            SELECT 'outside', unit_id, 'revenue', 1e155, exposed_at FROM exposures WHERE unit_id = ?
            """, arguments: [unit.id])
      }
      // Each exposure of the unit recomputes it from its rows: its sum of squares is ∞ (the totals' too), then ∞ is
      // subtracted and added back (NaN).
      for (index, expected) in ["∞", "NaN"].enumerated() {
        let exposure =
          #"{"id": "again-\#(index)", "experiment": "gym-renewal-2026", "unit": "\#(unit.id)", "variant": "\#(unit.variant)", "segment": "\#(unit.segment)", "time": "2026-11-01T09:00:00Z"}"#
        let stored = try await client.execute(
          uri: "/v1/exposures", method: .post, body: body(#"{"exposures": [\#(exposure)]}"#))
        #expect(stored.status == .ok)
        let results = try await client.execute(uri: "/v1/experiments/gym-renewal-2026/results", method: .get)
        #expect(results.status == .conflict, "sum of squares \(expected): \(String(buffer: results.body))")
        let json = try results.body.json
        #expect(json["error"]?["code"] == .string("not_analysable"), "\(json)")
        guard case .string(let message)? = json["error"]?["message"] else {
          Issue.record("no message: \(json)")
          continue
        }
        #expect(message.hasPrefix("gym-renewal-2026 cannot be analysed"), "\(message)")
        #expect(
          message.contains("revenue_sum_sq = \(index == 0 ? "inf" : "NaN"), which must be a number ≥ 0"), "\(message)")
      }
    }
  }

  /// A unit with a large value, erased, leaves the results those of the data without it.
  ///
  /// The running totals lost the other units' sum and sum of squares in the rounding of the large value once it was
  /// subtracted (review 04:40, review-erasure-check.py): after an event of 1e50, erased, a cell's revenue mean read as
  /// its shift and the lifts moved from +12.7 to −343 (p 1.8e-80), a 200; after 1e15 the p-values were off.
  @Test("an erased unit with a revenue of 1e50 or 1e15 leaves the results of the data that never had it")
  func erasingALargeValueLeavesTheOthersResults() async throws {
    func revenueRows(large: Double?) async throws -> [String: (lift: Double, p: Double)] {
      let harness = try TestService()
      defer { harness.remove() }
      let units = try ResultsTests.units(harness, count: 120)
      let store = try #require(harness.service.store as? SQLiteStore)
      let rows = Mutex<[String: (lift: Double, p: Double)]>([:])
      try await harness.test { client in
        try await ResultsTests.send(units, client)
        let plan = try #require(
          LivePlans(catalog: harness.service.catalog, dialect: .sqlite).byExperiment["gym-renewal-2026"])
        while try await !store.buildLiveTotals(plan, units: 1_000, restart: false, recount: false) {}
        if let large {
          // A renewed unit of the same cells gets the large value, then is erased.
          let unit = try #require(units.first { $0.renewed == 1 })
          let event = #"{"events": [{"id": "large", "unit": "\#(unit.id)", "metric": "revenue", "value": \#(large)}]}"#
          let stored = try await client.execute(uri: "/v1/events", method: .post, body: body(event))
          #expect(try stored.body.json["stored"] == .integer(1))
          let erased = try await client.execute(
            uri: "/v1/erasure", method: .post, body: body(#"{"unit": "\#(unit.id)"}"#))
          #expect(erased.status == .ok)
        } else {
          // The same unit erased without the large value: the data the erased case must match.
          let unit = try #require(units.first { $0.renewed == 1 })
          let erased = try await client.execute(
            uri: "/v1/erasure", method: .post, body: body(#"{"unit": "\#(unit.id)"}"#))
          #expect(erased.status == .ok)
        }
        let query = try CellQuery(
          plan: plan.plan, dialect: .sqlite, source: .events(exposures: "exposures", events: "events"))
        #expect(try await store.liveResult(plan, query: query) != nil, "the results come from the running totals")
        let results = try await NotFiniteTotalsTests.revenue(client)
        #expect(results.status == .ok, "\(results.body.prefix(300))")
        rows.withLock { $0 = results.rows }
      }
      return rows.withLock { $0 }
    }
    let expected = try await revenueRows(large: nil)
    #expect(expected.count == 8, "\(expected)")
    for large in [1e50, 1e15] {
      let rows = try await revenueRows(large: large)
      #expect(rows.count == expected.count, "\(large)")
      for (key, value) in expected {
        guard let row = rows[key] else {
          Issue.record("\(large): no row \(key)")
          continue
        }
        #expect(
          abs(row.lift - value.lift) <= 1e-9 * max(1, abs(value.lift)),
          "\(large) \(key): lift \(row.lift) for \(value.lift)")
        #expect(abs(row.p - value.p) <= 1e-6 * value.p, "\(large) \(key): p \(row.p) for \(value.p)")
      }
    }
  }

  @Test func ofrepEvaluationLogsTheExposureWhenAsked() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    let context =
      #"{"context": {"targetingKey": "M-1001", "marketing_opt_in": true, "membership_months": 14, "status": "active", "checkins_90d": 30}}"#
    try await harness.test { client in
      let plain = try await client.execute(
        uri: "/ofrep/v1/evaluate/flags/gym-renewal-2026", method: .post, body: body(context))
      #expect(try plain.body.json["metadata"]?["strata_exposure"] == nil)
      for _ in 0..<2 {
        let exposed = try await client.execute(
          uri: "/ofrep/v1/evaluate/flags/gym-renewal-2026?expose=true", method: .post, body: body(context))
        #expect(exposed.status == .ok)
        #expect(try exposed.body.json["metadata"]?["strata_exposure"] == .string("stored"))
      }
      let bad = try await client.execute(
        uri: "/ofrep/v1/evaluate/flags/gym-renewal-2026?expose=maybe", method: .post, body: body(context))
      #expect(bad.status == .badRequest)
    }
    let rows = try await IngestTests.rows(harness, "SELECT unit_id, segment, repeats FROM exposures")
    #expect(rows.count == 1)
    #expect(rows.first?["unit_id"] == "M-1001")
    #expect(rows.first?["segment"] == "high")
    #expect(rows.first?["repeats"] == 1)
  }

  @Test func clientKeysMayNotIngest() async throws {
    let client = APIKey.generate(name: "web", role: .client)
    let server = APIKey.generate(name: "backend", role: .server)
    let harness = try TestService(keys: [client.record, server.record])
    defer { harness.remove() }
    let event = #"{"events": [{"id": "e1", "unit": "M-1", "metric": "revenue", "value": 1}]}"#
    try await harness.test { http in
      let denied = try await http.execute(
        uri: "/v1/events", method: .post, headers: [.authorization: "Bearer \(client.key)"], body: body(event))
      #expect(denied.status == .forbidden)
      let allowed = try await http.execute(
        uri: "/v1/events", method: .post, headers: [.authorization: "Bearer \(server.key)"], body: body(event))
      #expect(allowed.status == .ok)
    }
  }

  @Test func timesAreReadAsRFC3339() throws {
    func text(_ input: String) -> String? { try? IngestTime.parse(input).get().text }
    #expect(text("2026-12-03T10:15:00Z") == "2026-12-03 10:15:00.000")
    #expect(text("2026-12-03T10:15:00.123456Z") == "2026-12-03 10:15:00.123")
    #expect(text("2026-12-03T00:15:00.5+01:00") == "2026-12-02 23:15:00.500")
    #expect(text("2024-02-29T23:59:59-00:30") == "2024-03-01 00:29:59.000")
    #expect(text("2026-02-29T00:00:00Z") == nil)
    #expect(text("2026-12-03T10:15:00") == nil)
    #expect(text("1969-12-31T23:59:59Z") == nil)
    #expect(IngestTime(milliseconds: 0).text == "1970-01-01 00:00:00.000")
    #expect(IngestTime(milliseconds: 1_796_000_000_007).text == "2026-11-30 00:53:20.007")
    #expect(IngestTime(milliseconds: 253_402_300_799_999).text == "9999-12-31 23:59:59.999")
    #expect(IngestTime(milliseconds: 253_402_300_800_000).text == "10000-01-01 00:00:00.000")
  }
}
