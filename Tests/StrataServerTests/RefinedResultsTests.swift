import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import StrataAnalysis
import StrataWarehouse
import Testing

@testable import StrataServer

/// The results query with a far first value (review F4): revenue's shift is the first value stored, 1e12 among
/// revenues of about 300, so every other cell's sums about it lose their variance's digits; the service sums those
/// cells again about their own means (`CellQueryRun`), in the same read, and the results are `strata analyze`'s of the
/// same units as a CSV.
@Suite struct RefinedResultsTests {
  @Test func aFarFirstValueGivesTheCSVResultsThroughTheQuery() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    var far = try ResultsTests.units(harness, count: 600)
    far[try #require(far.firstIndex { $0.renewed == 1 })].revenue = 1e12
    let units = far
    let reference = try ResultsTests.cliAnalysis(units, harness)
    try await harness.test { client in
      try await ResultsTests.send(units, client)
      // No running totals for this plan (another key): the results come from the query.
      let store = try #require(harness.service.store as? SQLiteStore)
      try await store.pool.write { db in
        try db.execute(
          sql: "UPDATE live_experiments SET plan_key = 'test: read the query' WHERE experiment_id = 'gym-renewal-2026'")
      }
      // A planned look: the group-sequential decision of `strata analyze` at look 1 (ResultsTests' reference).
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
      #expect(file.contains("cells had lost digits: summed again about each cell's own mean (query "))
    }
  }

  /// The store runs the refinement in the same read as the first query: a change written between them is in neither.
  @Test func theRefinementReadsTheFirstQuerysSnapshot() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    var far = try ResultsTests.units(harness, count: 300)
    far[try #require(far.firstIndex { $0.renewed == 1 })].revenue = 1e12
    let units = far
    let plan = try #require(harness.service.catalog["gym-renewal-2026"]).analysisPlan
    let query = try CellQuery(plan: plan, dialect: .sqlite, source: .events(exposures: "exposures", events: "events"))
    let run = CellQueryRun(query, source: "test")
    let path = harness.directory.appendingPathComponent("strata.db").path
    try await harness.test { client in
      try await ResultsTests.send(units, client)
      let store = try #require(harness.service.store as? SQLiteStore)
      let results = try await store.run(run.first) { results in
        if results.count == 1 {
          var configuration = Configuration()
          configuration.busyMode = .timeout(10)
          try DatabaseQueue(path: path, configuration: configuration).write { db in
            try db.execute(sql: "UPDATE events SET value = value + 7 WHERE metric = 'revenue' AND value < 1e6")
          }
        }
        return try run.next(after: results)
      }
      #expect(results.count == 2)
      let reading = try run.reading(of: results)
      #expect(reading.refinedCells > 0)
      #expect(reading.summary.doubtfulCells.isEmpty)
      // Every cell's mean is the first query's (to the rounding of 1e12), not 7 more: the change is in neither.
      let first = try query.summary(of: results[0], source: "test")
      #expect(!first.doubtfulCells.isEmpty)
      let revenue = try #require(plan.columns.firstIndex { $0.column == "revenue" })
      for variant in plan.variants.indices {
        for segment in plan.segments.indices {
          let old = first.statistics.metric(revenue, variant: variant, segment: segment)
          let new = reading.summary.statistics.metric(revenue, variant: variant, segment: segment)
          #expect(old.count == new.count)
          if old.count > 0 && old.mean < 1e6 { #expect(abs(old.mean - new.mean) < 0.01) }
        }
      }
      let later = try run.reading(of: try await store.run(run.first) { try run.next(after: $0) })
      #expect(later.summary.statistics != reading.summary.statistics)
    }
  }
}
