import Foundation
import StrataAnalysis
import StrataReport
import StrataStats
import StrataTestSupport
import Testing

/// Reports with more segments than anyone reads in a table: the per-segment tables show `ReportSegments.limit`
/// chosen segments and say so; the JSON and the results CSV keep every segment.
@Suite("Reports with hundreds of segments")
struct ManySegmentReportTests {
  /// `count` segments × control/treatment with 1,000 units per arm and a 10% conversion rate; segment s150 has
  /// a large lift (significant even after Holm), segment s77 three times the treatment units (a sample ratio
  /// mismatch).
  static func analysis(segments count: Int) throws -> Analysis {
    let segments = (1...count).map { "s\($0)" }
    let plan = AnalysisPlan(
      id: "many-segments", variants: ["control", "treatment"], segments: segments,
      metrics: [AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary, missing: .zero)])
    var statistics = SufficientStatistics(plan: plan)
    for (index, segment) in segments.enumerated() {
      for variant in 0..<2 {
        let units = segment == "s77" && variant == 1 ? 3_000.0 : 1_000.0
        let rate = segment == "s150" && variant == 1 ? 0.3 : 0.1 + Double(index % 7) * 0.002
        let successes = (units * rate).rounded()
        let mean = successes / units
        let cell = SufficientStatistics.Cell(
          units: Int(units),
          columns: [ColumnMoments(count: units, mean: mean, m2: successes * (1 - mean), sum: successes)])
        statistics.merge(cell, variant: variant, segment: index)
      }
    }
    return try Analyzer(plan: plan).analyze(DataSummary(cells: statistics, source: "cells"))
  }

  /// `AnalysisJSON.write` (what `analyze --json` prints, entry by entry) gives exactly the tree's bytes, pretty and
  /// compact, in chunks of any size, with and without segments (`segment_vs_rest` then empty).
  @Test func streamedJSONIsTheTreesBytes() throws {
    let plan = AnalysisPlan(
      id: "no-segments", variants: ["control", "treatment"], segments: ["all"],
      metrics: [AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary)])
    var cells = SufficientStatistics(plan: plan)
    for variant in 0..<2 {
      cells.merge(
        SufficientStatistics.Cell(
          units: 1_000, columns: [ColumnMoments(count: 1_000, mean: 0.1, m2: 90, sum: 100)]),
        variant: variant, segment: 0)
    }
    let unsegmented = try Analyzer(plan: plan).analyze(DataSummary(cells: cells, source: "cells"))
    for analysis in [try Self.analysis(segments: 40), unsegmented] {
      for pretty in [true, false] {
        let tree = AnalysisJSON.value(analysis).serialized(pretty: pretty)
        for chunkSize in [1, 100, 1 << 16] {
          var streamed: [UInt8] = []
          var largest = 0
          AnalysisJSON.write(analysis, pretty: pretty, chunkSize: chunkSize) { chunk in
            streamed += chunk
            largest = max(largest, chunk.count)
          }
          #expect(String(decoding: streamed, as: UTF8.self) == tree)
          #expect(chunkSize > 1 || largest < 10_000, "chunks are handed on as they fill")
        }
      }
    }
    #expect(AnalysisJSON.value(unsegmented).serialized().contains("\"segment_vs_rest\": []"))
  }

  /// Names that need escaping (quotes, backslashes, control characters, non-ASCII), a continuous metric and three
  /// variants: `AnalysisJSON.write`, which writes the members straight into bytes, still gives the tree's bytes,
  /// keys named by data (`srm[].observed`, `post_stratified[].weights`) included.
  @Test func streamedJSONEscapesNamesAsTheTreeDoes() throws {
    let segments = ["plain", "quote \" inside", "back\\slash", "tab\there", "line\nbreak", "ünïcode ✓", "\u{1}ctl"]
    let variants = ["control", "b \"two\"", "c\\"]
    let plan = AnalysisPlan(
      id: "escapes", variants: variants, segments: segments,
      metrics: [AnalysisPlan.Metric(name: "revenue \"net\"", kind: .continuous, role: .primary)])
    var cells = SufficientStatistics(plan: plan)
    var random = SplitMix64(seed: 17)
    for segment in segments.indices {
      for variant in variants.indices {
        let units = 200 + Double(random.next() % 100)
        let mean = 10 + Double(random.next() % 1_000) / 337
        let m2 = units * (4 + Double(random.next() % 100) / 7)
        cells.merge(
          SufficientStatistics.Cell(
            units: Int(units), columns: [ColumnMoments(count: units, mean: mean, m2: m2, sum: units * mean)]),
          variant: variant, segment: segment)
      }
    }
    let analysis = try Analyzer(plan: plan).analyze(DataSummary(cells: cells, source: "cells"))
    #expect(!analysis.metrics[0].postStratified.isEmpty && !analysis.metrics[0].partialPooling.isEmpty)
    for pretty in [true, false] {
      let tree = AnalysisJSON.value(analysis).serialized(pretty: pretty)
      for chunkSize in [7, 1 << 16] {
        var streamed: [UInt8] = []
        AnalysisJSON.write(analysis, pretty: pretty, chunkSize: chunkSize) { streamed += $0 }
        #expect(String(decoding: streamed, as: UTF8.self) == tree)
      }
    }
    #expect(AnalysisJSON.value(analysis).serialized().contains(#""quote \" inside""#))
  }

  @Test func tablesShowTheFlaggedSegmentsAndSaySo() throws {
    let analysis = try Self.analysis(segments: 200)
    let shown = ReportSegments(analysis)
    let chosen = try #require(shown.shown)
    #expect(chosen.count == ReportSegments.limit)
    #expect(chosen.contains("s77"), "the sample ratio mismatch is shown")
    #expect(chosen.contains("s150"), "the significant segment is shown")
    let metric = analysis.metrics[0]
    let table = ReportTables.metric(metric, plan: analysis.plan, segments: shown)
    #expect(table.rows.count == ReportSegments.limit + 1, "one row per shown segment and the overall row")
    #expect(Set(table.rows.dropLast().map { $0[0] }) == chosen)
    let srm = ReportTables.sampleRatio(analysis.sampleRatio, plan: analysis.plan, segments: shown)
    #expect(srm.rows.count == ReportSegments.limit + 1)
    let markdown = MarkdownReport.render(analysis)
    let html = HTMLReport.render(analysis)
    let text = AnalysisText.render(analysis)
    for report in [markdown, html, text] {
      #expect(report.contains("This experiment has 200 segments. The tables show 30: "))
    }
    #expect(markdown.contains("many-segments-results.csv") && html.contains("many-segments-results.csv"))
    // The command is code, not text with literal backticks (the HTML showed `strata analyze --json` with them, and
    // the Markdown escaped them into \`).
    #expect(html.contains("(many-segments-results.csv) and <code>strata analyze --json</code>."))
    #expect(!html.contains("`strata analyze"))
    #expect(markdown.contains("(many-segments-results.csv) and `strata analyze --json`."))
    #expect(!markdown.contains("\\`"))
    #expect(!markdown.contains("| s3 |") || chosen.contains("s3"))
    // Every segment stays in the results CSV and the JSON.
    let csv = ResultsCSV.render(analysis).split(separator: "\n")
    #expect(csv.count == 1 + 200 + 1)
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(AnalysisJSON.value(analysis).serialized().utf8)) as? [String: Any])
    #expect((json["results"] as? [Any])?.count == 201)
  }

  @Test func fewSegmentsAreAllShown() throws {
    let analysis = try Self.analysis(segments: ReportSegments.limit)
    let shown = ReportSegments(analysis)
    #expect(shown.shown == nil && shown.note(resultsFile: nil) == nil)
    #expect(!MarkdownReport.render(analysis).contains("This experiment has"))
    let table = ReportTables.metric(analysis.metrics[0], plan: analysis.plan, segments: shown)
    #expect(table.rows.count == ReportSegments.limit + 1)
  }
}
