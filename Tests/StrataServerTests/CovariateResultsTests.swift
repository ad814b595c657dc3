import Foundation
import GRDB
import HummingbirdTesting
import StrataAnalysis
import StrataReport
import StrataWarehouse
import Testing

@testable import StrataServer

/// Live results of definitions with CUPED covariates, from the events sent before the units' exposures.
///
/// A covariate is the unit's events named as its column before its first exposure, over the metric's window
/// (docs/service.md): the live results are `strata analyze` of the unit-level CSV with those sums as pre-period
/// columns. Lin's regression (`covariates:`) reads the stored units twice (the results query, then the HC sums given
/// its fits), and gives the same results.
@Suite("strata serve: live results of definitions with covariates")
struct CovariateResultsTests {
  static func definition(id: String, adjustment: String) -> String {
    """
    id: \(id)
    unit: unit_id
    salt: \(id)
    variants:
      - key: control
      - key: treatment
    metrics:
      - name: spend
        kind: continuous
        missing: zero
        window: 14d
        \(adjustment)
      - name: revenue_per_order
        kind: ratio
        role: secondary
        numerator: revenue
        denominator: orders
        missing: zero
        window: 30d
        covariate: {numerator: revenue_before, denominator: orders_before, missing: zero}
    plan:
      alpha: 0.05
      power: 0.8
      mde: 1
      relative: false
      sides: 2

    """
  }

  /// Lin's regression (`covariates:`) from the stored events: the results query's cells carry each arm's moments, a
  /// second query sums the units' HC terms given the fits (`RegressionQuery`), and the results are `strata analyze`'s
  /// of the unit-level CSV of the same units (the running totals are not kept for such a definition).
  @Test func linResultsComeFromTheTwoQueries() async throws {
    let id = "lin-live"
    let definition = Self.definition(
      id: id, adjustment: "covariates: {columns: [spend_before, visits_before], errors: hc3, missing: zero}")
    let harness = try TestService(only: [], extra: ["\(id).yaml": definition])
    defer { harness.remove() }
    let units = try Self.units(harness, id: id, count: 400)
    let reference = try Self.cliAnalysis(units, id: id, harness)
    #expect(LivePlans(catalog: harness.service.catalog, dialect: .sqlite).byExperiment[id] == nil)
    try await harness.test { client in
      try await Self.send(units, id: id, client, visits: true)
      let results = try await client.execute(uri: "/v1/experiments/\(id)/looks", method: .post)
      #expect(results.status == .ok, "\(String(buffer: results.body))")
      let json = try results.body.json
      for key in ["srm", "results", "pooled", "verdict", "decision"] {
        #expect(ResultsTests.agree(json[key], reference[key], key) == nil)
      }
      guard case .array(let comparisons)? = json["results"] else {
        Issue.record("no results")
        return
      }
      #expect(comparisons.contains { $0["metric"] == .string("spend") && $0["test"] == .string("lin-hc3") })
    }
  }

  /// Lin's two queries read one snapshot: a unit's event changed between them (by another connection) is in neither,
  /// so the HC sums come from the same data as the fits; the next read sees the change.
  @Test func linQueriesReadOneSnapshot() async throws {
    let id = "lin-snapshot"
    let definition = Self.definition(
      id: id, adjustment: "covariates: {columns: [spend_before, visits_before], errors: hc3, missing: zero}")
    let harness = try TestService(only: [], extra: ["\(id).yaml": definition])
    defer { harness.remove() }
    let units = try Self.units(harness, id: id, count: 120)
    let plan = try #require(harness.service.catalog[id]).analysisPlan
    let query = try CellQuery(plan: plan, dialect: .sqlite, source: .events(exposures: "exposures", events: "events"))
    let path = harness.directory.appendingPathComponent("strata.db").path
    try await harness.test { client in
      try await Self.send(units, id: id, client, visits: true)
      let store = try #require(harness.service.store as? SQLiteStore)
      let run = CellQueryRun(query, source: "test")
      func read(changing: Bool) async throws -> QueryResult? {
        let results = try await store.run(run.first) { results in
          if changing && results.count == 1 {
            try DatabaseQueue(path: path).write { db in
              try db.execute(sql: "UPDATE events SET value = value + 1000 WHERE unit_id = 'u-1' AND metric = 'spend'")
            }
          }
          return try run.next(after: results)
        }
        return results.count == 2 ? results[1] : nil
      }
      let before = try #require(try await read(changing: false))
      let during = try #require(try await read(changing: true))
      let after = try #require(try await read(changing: false))
      #expect(during == before)
      #expect(after != before)
    }
  }

  /// One unit's values: after exposure (inside the windows) and before it (the covariates).
  struct Unit {
    var id: String
    var variant: String
    var spend: Double
    var spendBefore: Double
    /// A second pre-period column (Lin's regression), 0 without history.
    var visitsBefore: Double
    var revenue: Double
    var orders: Int
    var revenueBefore: Double
    var ordersBefore: Int
  }

  static func units(_ harness: TestService, id: String, count: Int) throws -> [Unit] {
    let experiment = try #require(harness.service.catalog[id]).experiment
    return try (0..<count).map { index in
      let unit = "u-\(index)"
      let bucket = Int(experiment.variantHash(unit: unit) % 10_000)
      let variant = try #require(experiment.layouts[0].variant(forBucket: bucket))
      let history = index % 9 != 0  // every ninth unit has no event before exposure: covariates 0 (missing: zero)
      let ordersBefore = history ? index % 4 : 0
      let revenueBefore = Double(ordersBefore) * (40 + Double(index * 37 % 60)) + (history ? 0.25 : 0)
      let spendBefore = history ? 100 + Double(index * 53 % 200) + 0.5 : 0
      let orders = (ordersBefore + index % 3) % 5
      let lift = Double(variant) * 6
      return Unit(
        id: unit, variant: experiment.variants[variant].key,
        spend: 0.8 * spendBefore + Double(index * 31 % 90) + lift + (history ? Double(index % 7) * 3 : 0),
        spendBefore: spendBefore, visitsBefore: history ? Double(index % 7 + 1) : 0,
        revenue: Double(orders) * (42 + Double(index * 29 % 50) + lift / 2), orders: orders,
        revenueBefore: revenueBefore, ordersBefore: ordersBefore)
    }
  }

  /// Exposures on 1 November; events after it, before it inside both windows (covariates), and ones that must not
  /// count.
  ///
  /// Not counted: before the 14- and 30-day windows, at the exposure itself (not before it), after the metric
  /// windows. `visits`: also the `visits_before` events (a definition must read them, or the service refuses them).
  static func send(_ units: [Unit], id: String, _ client: any TestClientProtocol, visits: Bool = false) async throws {
    for chunk in stride(from: 0, to: units.count, by: 100).map({ Array(units[$0..<min($0 + 100, units.count)]) }) {
      var events: [String] = []
      func event(_ unit: Unit, _ metric: String, _ value: Double, _ time: String) {
        events.append(
          #"{"id": "\#(metric)-\#(unit.id)-\#(time)", "unit": "\#(unit.id)", "metric": "\#(metric)", "value": \#(value), "time": "\#(time)"}"#
        )
      }
      for unit in chunk {
        event(unit, "spend", unit.spend, "2026-11-03T09:00:00Z")
        event(unit, "spend", 500, "2026-11-16T09:00:00Z")  // after the 14-day window
        event(unit, "revenue", unit.revenue, "2026-11-20T09:00:00Z")
        event(unit, "orders", Double(unit.orders), "2026-11-01T09:00:00Z")  // at the exposure: counts
        if unit.spendBefore != 0 {
          event(unit, "spend_before", unit.spendBefore, "2026-10-20T09:00:00Z")
          if visits { event(unit, "visits_before", unit.visitsBefore, "2026-10-25T09:00:00Z") }
          event(unit, "revenue_before", unit.revenueBefore, "2026-10-05T09:00:00Z")
          event(unit, "orders_before", Double(unit.ordersBefore), "2026-10-02T09:00:00Z")  // exposure − 30 days
        }
        event(unit, "spend_before", 77, "2026-10-18T08:59:59Z")  // just before the 14-day pre-window
        event(unit, "revenue_before", 88, "2026-11-01T09:00:00Z")  // at the exposure: not before it
        event(unit, "orders_before", 9, "2026-09-01T09:00:00Z")  // before the 30-day pre-window
      }
      // Half the events arrive before their units' exposures.
      let half = events.count / 2
      let early = try await client.execute(
        uri: "/v1/events", method: .post, body: body(#"{"events": [\#(events[..<half].joined(separator: ","))]}"#))
      #expect(early.status == .ok, "\(String(buffer: early.body))")
      let exposures = chunk.map {
        #"{"id": "x-\#($0.id)", "experiment": "\#(id)", "unit": "\#($0.id)", "variant": "\#($0.variant)", "time": "2026-11-01T09:00:00Z"}"#
      }
      let response = try await client.execute(
        uri: "/v1/exposures", method: .post, body: body(#"{"exposures": [\#(exposures.joined(separator: ","))]}"#))
      #expect(response.status == .ok)
      let stored = try await client.execute(
        uri: "/v1/events", method: .post,
        body: body(#"{"events": [\#(events[half...].joined(separator: ","))]}"#))
      #expect(stored.status == .ok)
    }
  }

  /// `strata analyze` of the same units as a unit-level CSV with the pre-period columns.
  static func cliAnalysis(_ units: [Unit], id: String, _ harness: TestService) throws -> JSON {
    let entry = try #require(harness.service.catalog[id])
    let path = harness.directory.appendingPathComponent("\(id).csv")
    // A unit without history has no events before exposure: its pre-period values are empty, as the service has none.
    let lines = units.map {
      $0.spendBefore == 0
        ? "\($0.id),\($0.variant),\($0.spend),,\($0.revenue),\($0.orders),,,"
        : "\($0.id),\($0.variant),\($0.spend),\($0.spendBefore),\($0.revenue),\($0.orders),\($0.revenueBefore),\($0.ordersBefore),\($0.visitsBefore)"
    }
    let header = "unit_id,variant,spend,spend_before,revenue,orders,revenue_before,orders_before,visits_before"
    try ([header] + lines).joined(separator: "\n").write(to: path, atomically: true, encoding: .utf8)
    var analysis = try Analyzer(plan: entry.analysisPlan, look: 1).analyze(
      DataReader.read(path: path.path, plan: entry.analysisPlan))
    var lookGuard = SequentialGuard(plan: entry.analysisPlan, look: 1, log: InMemoryLookStore())
    try lookGuard.apply(to: &analysis)
    return try JSON.parse(Array(AnalysisJSON.value(analysis).serialized(pretty: false).utf8))
  }

  @Test func cupedResultsComeFromTheEventsBeforeExposure() async throws {
    let id = "cuped-live"
    let definition = Self.definition(id: id, adjustment: "covariate: {column: spend_before, missing: zero}")
    let harness = try TestService(only: [], extra: ["\(id).yaml": definition])
    defer { harness.remove() }
    let units = try Self.units(harness, id: id, count: 600)
    let reference = try Self.cliAnalysis(units, id: id, harness)
    try await harness.test { client in
      try await Self.send(units, id: id, client)
      let view = try await client.execute(uri: "/v1/experiments/\(id)/results", method: .get)
      #expect(view.status == .ok, "\(String(buffer: view.body))")
      // A planned look: the numbers of `strata analyze` at look 1 (the interim view withholds the naive p-values).
      let results = try await client.execute(uri: "/v1/experiments/\(id)/looks", method: .post)
      #expect(results.status == .ok, "\(String(buffer: results.body))")
      let json = try results.body.json
      for key in ["srm", "results", "pooled", "verdict", "decision"] {
        #expect(ResultsTests.agree(json[key], reference[key], key) == nil)
      }
      // The covariates' empty values (units without history), counted as 0 by the live totals as by the CSV reader.
      let missing = json["data"]?["missing_values"]
      #expect(ResultsTests.agree(missing, reference["data"]?["missing_values"], "missing_values") == nil)
      guard case .array(let columns)? = missing else {
        Issue.record("no missing_values")
        return
      }
      #expect(columns.contains { $0["column"] == .string("spend_before") && $0["units"] == .integer(600 / 9 + 1) })
      guard case .array(let comparisons)? = json["results"] else {
        Issue.record("no results")
        return
      }
      #expect(comparisons.count == 4)  // each metric in its one segment and overall
      #expect(comparisons.allSatisfy { $0["adjustment"] != nil && $0["adjustment"] != .null })
      // The results came from the running totals the ingestion kept, which the results query confirms.
      let store = try #require(harness.service.store as? SQLiteStore)
      let plan = try #require(LivePlans(catalog: harness.service.catalog, dialect: .sqlite).byExperiment[id])
      let difference = try await LiveTotalsTests.compare(store, plan)
      #expect(difference == nil, "\(difference ?? "")")
    }
  }

  /// An excluded covariate stops the live results as it stops the unit-level CSV.
  ///
  /// `missing: exclude` on the covariate, and units without history: cells where the metric counts more units than its
  /// covariate. The live totals fill the cells the unit-level CSV fills (the pair's own units), so the results stop
  /// (409 `not_analysable`) with the sentence `strata analyze` of that CSV stops with.
  @Test func anExcludedCovariateStopsAsTheUnitLevelCSV() async throws {
    let id = "cuped-exclude"
    let definition = Self.definition(id: id, adjustment: "covariate: {column: spend_before, missing: exclude}")
    let harness = try TestService(only: [], extra: ["\(id).yaml": definition])
    defer { harness.remove() }
    let units = try Self.units(harness, id: id, count: 300)
    var expected: String?
    do {
      _ = try Self.cliAnalysis(units, id: id, harness)
    } catch {
      expected = "\(error)"
    }
    let sentence = try #require(expected)
    #expect(sentence.contains("same units"), "\(sentence)")
    try await harness.test { client in
      try await Self.send(units, id: id, client)
      let results = try await client.execute(uri: "/v1/experiments/\(id)/results", method: .get)
      #expect(results.status == .conflict)
      let json = try results.body.json
      #expect(json["error"]?["code"] == .string("not_analysable"))
      #expect(json["error"]?["message"] == .string("\(id) cannot be analysed yet: \(sentence)"), "\(json)")
      // The totals are the results query's cells (the pair's own units included).
      let store = try #require(harness.service.store as? SQLiteStore)
      let plan = try #require(LivePlans(catalog: harness.service.catalog, dialect: .sqlite).byExperiment[id])
      let difference = try await LiveTotalsTests.compare(store, plan)
      #expect(difference == nil, "\(difference ?? "")")
    }
  }

  /// The variant the definition assigns unit u-1 (an exposure must name it).
  static func variant(_ client: any TestClientProtocol, _ id: String) async throws -> String {
    let response = try await client.execute(uri: "/v1/assign", method: .post, body: body(#"{"unit": "u-1"}"#))
    guard case .array(let items)? = try response.body.json["assignments"],
      let item = items.first(where: { $0["experiment"] == .string(id) }), case .string(let variant)? = item["variant"]
    else { throw CocoaError(.coderValueNotFound) }
    return variant
  }
}
