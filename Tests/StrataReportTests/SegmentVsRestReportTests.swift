import Foundation
import StrataAnalysis
import StrataReport
import StrataStats
import StrataTestSupport
import Testing

/// Segments found by `strata discover`: the reports (terminal, Markdown, HTML) show each segment's effect against
/// the rest's with Holm's adjustment over the segments, capped like the other per-segment tables.
@Suite("Each segment against the rest in the reports")
struct SegmentVsRestReportTests {
  /// Three discovered segments; the treatment lifts conversion by about 9 pp in `segment_1`, about 1 pp elsewhere.
  static func plan(discovered: Bool) -> AnalysisPlan {
    var plan = AnalysisPlan(
      id: "class-nudge", name: "Class nudge <confirmation>", variants: ["control", "nudge"],
      segments: ["segment_1", "segment_2", "segment_3"],
      metrics: [
        AnalysisPlan.Metric(name: "booked", kind: .binomial, role: .primary, missing: .zero),
        AnalysisPlan.Metric(name: "visits", kind: .continuous, role: .secondary),
      ],
      minimumDetectableEffect: 0.03, baseline: 0.2)
    plan.segmentsDiscovered = discovered
    return plan
  }

  static let csv = """
    variant,segment,n,booked_sum,visits_sum,visits_sum_sq
    control,segment_1,2000,400,9000,52000
    nudge,segment_1,2010,585,9800,58000
    control,segment_2,1500,300,6000,31000
    nudge,segment_2,1490,310,6100,32000
    control,segment_3,900,180,2700,11000
    nudge,segment_3,910,190,2750,11300

    """

  static func analysis(discovered: Bool = true) throws -> Analysis {
    let directory = try makeTemporaryDirectory("strata-svr")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("class-nudge.csv")
    try csv.write(to: file, atomically: true, encoding: .utf8)
    let plan = plan(discovered: discovered)
    return try Analyzer(plan: plan).analyze(try DataReader.read(path: file.path, plan: plan))
  }

  @Test func markdownMatchesSnapshot() throws {
    try ReportSnapshotTests.snapshot("discovered-segments.md", MarkdownReport.render(try Self.analysis()))
  }

  @Test func htmlMatchesSnapshot() throws {
    try ReportSnapshotTests.snapshot("discovered-segments.html", HTMLReport.render(try Self.analysis()))
  }

  @Test func tableHasEverySegmentWithHolmAcrossTheSegments() throws {
    let analysis = try Self.analysis()
    let table = try #require(ReportTables.segmentVsRest(analysis))
    #expect(table.rows.count == 6, "2 metrics × 1 treatment × 3 segments")
    #expect(table.rows.map { $0[2] } == ["segment_1", "segment_2", "segment_3", "segment_1", "segment_2", "segment_3"])
    for metric in analysis.metrics {
      let raw = metric.segmentContrasts.map(\.pValue)
      let holm = try MultipleTestingCorrection.holm.adjust(raw)
      #expect(metric.segmentContrasts.map(\.adjustedPValue) == holm)
    }
    // A 9 pp lift in segment_1 against about 1 pp elsewhere: segment_1's effect is larger than the rest's, and
    // each other segment's smaller than a rest that holds segment_1.
    let booked = table.rows.prefix(3)
    #expect(booked.map { $0.last } == ["yes: larger here", "yes: smaller here", "yes: smaller here"])
    #expect(booked.first?[3] == "+8.3 pp" && booked.first?[5] == "+4.64")
    // visits: segment_2's difference is not significant after Holm.
    #expect(table.rows[4].last == "no")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(AnalysisJSON.value(analysis).serialized().utf8)) as? [String: Any])
    let rows = try #require(json["segment_vs_rest"] as? [[String: Any]])
    #expect(rows.count == 6)
    #expect(rows.allSatisfy { ($0["adjusted_p_value"] as? Double ?? -1) >= ($0["p_value"] as? Double ?? 2) })
  }

  @Test func everyRenderingShowsItOnlyForDiscoveredSegments() throws {
    let discovered = try Self.analysis()
    for report in [
      MarkdownReport.render(discovered), HTMLReport.render(discovered), AnalysisText.render(discovered),
    ] {
      #expect(report.contains("Each segment against the rest"))
      #expect(report.contains("Holm-adjusted p"))
      #expect(report.contains("discovered by clustering"))
    }
    let planned = try Self.analysis(discovered: false)
    for report in [MarkdownReport.render(planned), HTMLReport.render(planned), AnalysisText.render(planned)] {
      #expect(!report.contains("Each segment against the rest"))
    }
  }

  @Test func manyDiscoveredSegmentsAreCappedAndFolded() throws {
    var analysis = try ManySegmentReportTests.analysis(segments: 40)
    analysis.plan.segmentsDiscovered = true
    let shown = ReportSegments(analysis)
    let chosen = try #require(shown.shown)
    let table = try #require(ReportTables.segmentVsRest(analysis, segments: shown))
    #expect(table.rows.count == ReportSegments.limit)
    #expect(Set(table.rows.map { $0[2] }) == chosen)
    #expect(
      ReportTables.segmentVsRestNote(analysis, segments: shown).contains("Only the segments the other tables show"))
    // Every segment is still in the JSON.
    #expect(analysis.metrics[0].segmentContrasts.count == 40)
    let markdown = MarkdownReport.render(analysis)
    #expect(markdown.contains("<details><summary>Table of \(ReportSegments.limit) rows</summary>"))
    #expect(HTMLReport.render(analysis).contains("Each segment against the rest"))
  }
}
