import Foundation
import Hummingbird
import HummingbirdTesting
import StrataAnalysis
import StrataAssignment
import StrataReport
import Testing

@testable import StrataServer

@Suite struct ResultsTests {
  /// Units of gym-renewal-2026 with their segment, variant (as the definition assigns them) and outcomes.
  struct Unit {
    var id: String
    var segment: String
    var variant: String
    var renewed: Int
    var revenue: Double
  }

  static func units(_ harness: TestService, count: Int, from start: Int = 0) throws -> [Unit] {
    let experiment = try #require(harness.service.catalog["gym-renewal-2026"]).experiment
    return try (start..<start + count).map { index in
      let id = "M-\(index)"
      let segment = index % 3
      let bucket = Int(experiment.variantHash(unit: id) % 10_000)
      let variant = try #require(experiment.layouts[segment].variant(forBucket: bucket))
      // Renewal rises with the variant index; revenue only for renewals.
      let renewed = (index * 7919 + variant * 1000) % 10_000 < 5_600 + variant * 300 ? 1 : 0
      return Unit(
        id: id, segment: experiment.segmentNames[segment], variant: experiment.variants[variant].key,
        renewed: renewed, revenue: renewed == 1 ? Double(300 + index % 97) + 0.25 : 0)
    }
  }

  static func send(_ units: [Unit], _ client: any TestClientProtocol) async throws {
    for chunk in stride(from: 0, to: units.count, by: 500).map({ Array(units[$0..<min($0 + 500, units.count)]) }) {
      let exposures = chunk.map {
        #"{"id": "x-\#($0.id)", "experiment": "gym-renewal-2026", "unit": "\#($0.id)", "variant": "\#($0.variant)", "segment": "\#($0.segment)", "time": "2026-11-01T09:00:00Z"}"#
      }
      let response = try await client.execute(
        uri: "/v1/exposures", method: .post, body: body(#"{"exposures": [\#(exposures.joined(separator: ","))]}"#))
      #expect(response.status == .ok)
      var events: [String] = []
      for unit in chunk where unit.renewed == 1 {
        events.append(
          #"{"id": "r-\#(unit.id)", "unit": "\#(unit.id)", "metric": "renewed", "value": 1, "time": "2026-11-05T09:00:00Z"}"#
        )
        events.append(
          #"{"id": "v-\#(unit.id)", "unit": "\#(unit.id)", "metric": "revenue", "value": \#(unit.revenue), "time": "2026-11-05T09:00:00Z"}"#
        )
      }
      let stored = try await client.execute(
        uri: "/v1/events", method: .post, body: body(#"{"events": [\#(events.joined(separator: ","))]}"#))
      #expect(stored.status == .ok)
    }
  }

  /// The analysis `strata analyze` makes of the same units as a unit-level CSV, at look 1.
  static func cliAnalysis(_ units: [Unit], _ harness: TestService) throws -> JSON {
    let entry = try #require(harness.service.catalog["gym-renewal-2026"])
    let path = harness.directory.appendingPathComponent("units.csv")
    // A unit without events has empty values (missing: zero counts them as 0, and counts them as filled), as the
    // service stores nothing for it.
    let lines = units.map {
      "\($0.id),\($0.variant),\($0.segment),\($0.renewed == 1 ? "1" : ""),\($0.renewed == 1 ? "\($0.revenue)" : "")"
    }
    try (["member_id,variant,segment,renewed,revenue"] + lines).joined(separator: "\n").write(
      to: path, atomically: true, encoding: .utf8)
    var analysis = try Analyzer(plan: entry.analysisPlan, look: 1).analyze(
      DataReader.read(path: path.path, plan: entry.analysisPlan))
    var lookGuard = SequentialGuard(plan: entry.analysisPlan, look: 1, log: InMemoryLookStore())
    try lookGuard.apply(to: &analysis)
    return try JSON.parse(Array(AnalysisJSON.value(analysis).serialized(pretty: false).utf8))
  }

  static func close(_ x: Double, _ y: Double) -> Bool {
    let scale: Double = Swift.max(Swift.abs(x), Swift.abs(y), 1e-300)
    return Swift.abs(x - y) <= 1e-9 * scale
  }

  /// Whether two JSON values agree: numbers within `tolerance` (relative), everything else exactly (the values
  /// `missing: zero` counted as 0, `zero_filled_*`, included: the live totals count them as the CSV reader does).
  static func agree(_ a: JSON?, _ b: JSON?, _ path: String = "$") -> String? {
    switch (a, b) {
    case (.number(let x)?, .number(let y)?):
      return close(x, y) ? nil : "\(path): \(x) ≠ \(y)"
    case (.number(let x)?, .integer(let y)?):
      return close(x, Double(y)) ? nil : "\(path): \(x) ≠ \(y)"
    case (.integer(let x)?, .number(let y)?):
      return close(Double(x), y) ? nil : "\(path): \(x) ≠ \(y)"
    case (.array(let x)?, .array(let y)?):
      guard x.count == y.count else { return "\(path): \(x.count) items ≠ \(y.count)" }
      for (index, pair) in zip(x, y).enumerated() {
        if let problem = agree(pair.0, pair.1, "\(path)[\(index)]") { return problem }
      }
      return nil
    case (.object(let x)?, .object(let y)?):
      guard x.map(\.0) == y.map(\.0) else { return "\(path): keys \(x.map(\.0)) ≠ \(y.map(\.0))" }
      for (left, right) in zip(x, y) {
        if let problem = agree(left.1, right.1, "\(path).\(left.0)") { return problem }
      }
      return nil
    default:
      return a == b ? nil : "\(path): \(a.map { $0.serialized() } ?? "nil") ≠ \(b.map { $0.serialized() } ?? "nil")"
    }
  }

  @Test func liveResultsAreAnalyzeOfTheStoredDataAndViewingIsNotALook() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    let units = try ResultsTests.units(harness, count: 3000)
    let reference = try ResultsTests.cliAnalysis(units, harness)
    try await harness.test { client in
      let empty = try await client.execute(uri: "/v1/experiments/gym-renewal-2026/results", method: .get)
      #expect(empty.status == .conflict)
      try await ResultsTests.send(units, client)
      // Viewing, twice: an interim view each time, nothing recorded.
      for _ in 0..<2 {
        let view = try await client.execute(uri: "/v1/experiments/gym-renewal-2026/results", method: .get)
        #expect(view.status == .ok)
        let json = try view.body.json
        #expect(json["service"]?["view"] == .string("interim"))
        #expect(json["look"]?["sequential"]?["interim"] == .bool(true))
        #expect(json["service"]?["exposures_stored"] == .integer(3000))
        #expect(ResultsTests.agree(json["srm"], reference["srm"]) == nil)
      }
      #expect(try await harness.service.store.looks(experiment: "gym-renewal-2026").isEmpty)
      // The results came from the running cell totals kept at ingestion (LiveTotals), not a scan of every unit.
      let store = try #require(harness.service.store as? SQLiteStore)
      let kept = try await store.pool.read { db in
        try Int.fetchOne(db, sql: "SELECT count(*) FROM live_cells WHERE experiment_id = 'gym-renewal-2026'")
      }
      #expect(kept == 9)
      let html = try await client.execute(uri: "/v1/experiments/gym-renewal-2026/results.html", method: .get)
      #expect(String(buffer: html.body).contains("Interim view between planned looks"))
      let markdown = try await client.execute(uri: "/v1/experiments/gym-renewal-2026/results.md", method: .get)
      #expect(String(buffer: markdown.body).contains("Interim view between planned looks"))
      // A planned look: the group-sequential decision of `strata analyze` at look 1, on the same numbers.
      let look = try await client.execute(uri: "/v1/experiments/gym-renewal-2026/looks", method: .post)
      #expect(look.status == .ok)
      let recorded = try look.body.json
      #expect(recorded["service"]?["look_action"] == .string("recorded"))
      for key in ["srm", "results", "pooled", "verdict", "decision"] {
        #expect(ResultsTests.agree(recorded[key], reference[key], key) == nil)
      }
      // The empty values per column, counted as 0 (missing: zero), as the CSV reader counts them.
      #expect(ResultsTests.agree(recorded["data"]?["missing_values"], reference["data"]?["missing_values"]) == nil)
      #expect(recorded["data"]?["missing_values"] != .null && recorded["data"]?["missing_values"] != nil)
      #expect(recorded["look"]?["sequential"]?["method"] == .string("group-sequential"))
      // The same data viewed again is that look; new data makes the next view interim again.
      let again = try await client.execute(uri: "/v1/experiments/gym-renewal-2026/results", method: .get)
      #expect(try again.body.json["service"]?["view"] == .string("planned_look"))
      try await ResultsTests.send(try ResultsTests.units(harness, count: 300, from: 3000), client)
      let later = try await client.execute(uri: "/v1/experiments/gym-renewal-2026/results", method: .get)
      #expect(try later.body.json["service"]?["view"] == .string("interim"))
      #expect(try later.body.json["look"]?["number"] == .integer(2))
    }
    #expect(try await harness.service.store.looks(experiment: "gym-renewal-2026").map(\.look) == [1])
  }
}
