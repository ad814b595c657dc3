import StrataAnalysis
@testable import StrataReport
import Testing

/// The comparisons the per-comparison tables list (`ReportTables.shownComparisons`), read by position and put in
/// plan order from `ReportSegments.order`, against the grouping by name it replaced.
@Suite("Shown comparisons")
struct ShownComparisonsTests {
  static func reference(_ metric: MetricAnalysis, plan: AnalysisPlan, segments: ReportSegments?) -> [Comparison] {
    let shown = segments ?? .all(of: plan)
    var bySegment: [String: [Comparison]] = [:]
    for c in metric.comparisons {
      if let segment = c.segment, shown.contains(segment) { bySegment[segment, default: []].append(c) }
    }
    return plan.segments.flatMap { segment in bySegment[segment] ?? [] } + metric.comparisons(segment: nil)
  }

  /// 40 segments (30 shown, a mismatch and a significant one among them), all of them, and a plan with two.
  @Test func sameComparisonsInTheSameOrder() throws {
    let many = try ManySegmentReportTests.analysis(segments: 40)
    let few = try ReportSnapshotTests.analysis()
    let ranked = ReportSegments(many)
    #expect(ranked.isPartial && ranked.order?.count == ReportSegments.limit)
    #expect(ranked.order == many.plan.segments.filter { ranked.contains($0) })
    for (analysis, segments) in [
      (many, Optional(ranked)), (many, nil), (many, ReportSegments.all(of: many.plan)), (few, ReportSegments(few)),
    ] {
      for metric in analysis.metrics {
        let got = ReportTables.shownComparisons(metric, plan: analysis.plan, segments: segments)
        #expect(got == Self.reference(metric, plan: analysis.plan, segments: segments))
      }
    }
  }
}
