import Foundation
import StrataAnalysis
import StrataWarehouse
import Testing

@testable import StrataServer

/// The results query (no running totals) with cells whose revenue is all equal but not the query's K.
///
/// One cell where nobody renewed (revenue 0 for every unit, `missing: zero`) and one where everybody renewed at one
/// price. The first query gives each its value as `revenue_shift` and sums of exactly 0, so nothing is doubtful: the
/// store runs one query, and the results are `strata analyze`'s of the same units as a CSV.
@Suite struct ConstantCellResultsTests {
  /// 600 units of `ResultsTests.units`; in (first variant, first segment) nobody renews, in (last variant, last
  /// segment) everybody does, at 310.25.
  static func units(_ harness: TestService) throws -> (units: [ResultsTests.Unit], zero: String, equal: String) {
    let experiment = try #require(harness.service.catalog["gym-renewal-2026"]).experiment
    let variants = experiment.variants.map(\.key), segments = experiment.segmentNames
    var units = try ResultsTests.units(harness, count: 600)
    for index in units.indices {
      if units[index].variant == variants.first && units[index].segment == segments.first {
        units[index].renewed = 0
        units[index].revenue = 0
      } else if units[index].variant == variants.last && units[index].segment == segments.last {
        units[index].renewed = 1
        units[index].revenue = 310.25
      }
    }
    return (units, segments.first ?? "", segments.last ?? "")
  }

  @Test func constantCellsNeedNoSecondQuery() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    let (units, zeroSegment, equalSegment) = try Self.units(harness)
    let reference = try ResultsTests.cliAnalysis(units, harness)
    let plan = try #require(harness.service.catalog["gym-renewal-2026"]).analysisPlan
    let query = try CellQuery(plan: plan, dialect: .sqlite, source: .events(exposures: "exposures", events: "events"))
    let run = CellQueryRun(query, source: "test")
    try await harness.test { client in
      try await ResultsTests.send(units, client)
      let store = try #require(harness.service.store as? SQLiteStore)
      // The store runs what the run asks for: the first query alone.
      let results = try await store.run(run.first) { try run.next(after: $0) }
      #expect(results.count == 1)
      let reading = try run.reading(of: results)
      #expect(reading.refinedCells == 0)
      #expect(reading.summary.doubtfulCells.isEmpty)
      let rows = results[0].rows.map { Dictionary(uniqueKeysWithValues: zip(results[0].columns, $0)) }
      func row(_ variant: String?, _ segment: String) -> [String: QueryResult.Value]? {
        rows.first { $0["variant"]?.text == variant && $0["segment"]?.text == segment }
      }
      let zero = try #require(row(plan.variants.first, zeroSegment))
      let equal = try #require(row(plan.variants.last, equalSegment))
      for (row, value) in [(zero, 0.0), (equal, 310.25)] {
        #expect(row["revenue_shift"]?.number == value)
        #expect(row["revenue_sum"]?.number == 0 && row["revenue_sum_sq"]?.number == 0)
      }
      // Through the service: no running totals for this plan (another key), so the results come from the query.
      try await store.pool.write { db in
        try db.execute(
          sql: "UPDATE live_experiments SET plan_key = 'test: read the query' WHERE experiment_id = 'gym-renewal-2026'")
      }
      let view = try await client.execute(uri: "/v1/experiments/gym-renewal-2026/looks", method: .post)
      #expect(view.status == .ok)
      let json = try view.body.json
      for key in ["srm", "results", "pooled", "verdict", "decision"] {
        #expect(ResultsTests.agree(json[key], reference[key], key) == nil)
      }
      guard case .string(let file)? = json["data"]?["file"] else {
        Issue.record("no data.file")
        return
      }
      #expect(file.hasSuffix("tables exposures and events") && !file.contains("had lost digits"), "\(file)")
    }
  }
}
