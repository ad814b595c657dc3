import Foundation
import StrataAnalysis
@testable import StrataReport
import StrataTestSupport
import Testing

/// The segments the reports show (`ReportSegments`): ranked by plan position against a ranking by name, and made
/// once for the reports and the text of a run.
@Suite("Report segments")
struct ReportSegmentsTests {
  /// The ranking by name: each name's flags and smallest primary p-values from every row and comparison with
  /// that name, the sort of `ReportSegments`' doc comment, the first `limit` kept.
  static func reference(_ analysis: Analysis) -> (shown: Set<String>, order: [String]) {
    let plan = analysis.plan
    let mismatch = Set(analysis.sampleRatio.segments.filter(\.mismatch).compactMap(\.segment))
    var significant: Set<String> = []
    var primaryP: [String: (Double, Double)] = [:]
    for (index, metric) in analysis.metrics.enumerated() {
      for c in metric.comparisons {
        guard let segment = c.segment else { continue }
        if c.significant { significant.insert(segment) }
        if index == plan.primaryMetricIndex, let p = c.decidingPValue, let raw = c.pValue,
          (p, raw) < primaryP[segment, default: (.infinity, .infinity)]
        {
          primaryP[segment] = (p, raw)
        }
      }
    }
    let best = analysis.decision.bestSegment?.segment
    let keys = plan.segments.enumerated().map { i, s in
      let p = primaryP[s, default: (.infinity, .infinity)]
      return (mismatch.contains(s) ? 0 : 1, s == best ? 0 : 1, significant.contains(s) ? 0 : 1, p.0, p.1, i)
    }
    let ranked = plan.segments.indices.sorted { keys[$0] < keys[$1] }
    let shown = Set(ranked.prefix(ReportSegments.limit).map { plan.segments[$0] })
    return (shown, plan.segments.filter { shown.contains($0) })
  }

  /// 200 segments (a mismatch and a significant one) with the comparisons in plan order, reversed and shuffled:
  /// a segment found by its position (the one before, the plan's next) or by its name gives the same ranking.
  @Test func rankedByPositionAsByName() throws {
    let analysis = try ManySegmentReportTests.analysis(segments: 200)
    var reversed = analysis
    reversed.metrics[0].comparisons.reverse()
    var shuffled = analysis
    var random = SplitMix64(seed: 11)
    shuffled.metrics[0].comparisons.shuffle(using: &random)
    let expected = Self.reference(analysis)
    #expect(expected.shown.contains("s77") && expected.shown.contains("s150"))
    for variant in [analysis, reversed, shuffled] {
      let ranked = ReportSegments(variant)
      #expect(ranked.shown == expected.shown)
      #expect(ranked.order == expected.order)
    }
  }

  /// The reports and the text given the ranking write what they write without it; given another (every segment),
  /// they use it.
  @Test func rankingGivenIsUsed() throws {
    let analysis = try ManySegmentReportTests.analysis(segments: 200)
    let ranked = ReportSegments(analysis)
    let all = ReportSegments.all(of: analysis.plan)
    let partial = "The tables show 30: "
    #expect(HTMLReport.render(analysis, segments: ranked) == HTMLReport.render(analysis))
    #expect(MarkdownReport.render(analysis, segments: ranked) == MarkdownReport.render(analysis))
    #expect(AnalysisText.render(analysis, segments: ranked) == AnalysisText.render(analysis))
    #expect(HTMLReport.render(analysis).contains(partial))
    for (every, chosen) in [
      (HTMLReport.render(analysis, segments: all), HTMLReport.render(analysis)),
      (MarkdownReport.render(analysis, segments: all), MarkdownReport.render(analysis)),
      (AnalysisText.render(analysis, segments: all), AnalysisText.render(analysis)),
    ] {
      #expect(!every.contains(partial) && chosen.contains(partial))
      #expect(every.count > chosen.count, "a row for every segment")
    }
    let directory = try makeTemporaryDirectory("report-segments")
    defer { try? FileManager.default.removeItem(at: directory) }
    let files = try ReportWriter.write(analysis, to: directory, segments: all)
    let html = try String(contentsOf: files[0], encoding: .utf8)
    #expect(html == HTMLReport.render(analysis, segments: all) && !html.contains(partial))
  }
}
