import Foundation
import StrataAnalysis
import Testing

@testable import StrataReport
import StrataTestSupport

/// Segment and variant names of wide glyphs (W and M, CJK, emoji).
///
/// The phone forest plot shortens a label by its estimated width, and these draw wider than their count of
/// characters suggests. The snapshot
/// (`wide-glyphs.html`) is rendered by Scripts/check-reports.sh, which measures every chart text in Chromium
/// (getBBox) and fails on text off the chart or overlapping another text or a mark.
///
/// Re-record with `STRATA_RECORD_SNAPSHOTS=1 swift test --filter WideGlyphReportTests` and review.
@Suite("Wide glyphs in names")
struct WideGlyphReportTests {
  static let plan = AnalysisPlan(
    id: "wide-glyphs", name: "Wide glyphs in segment and variant names", hypothesis: "Names of any script fit.",
    variants: ["control", "MMW_Weekend_Winback_a", "MMW_Weekend_Winback_b"],
    segments: ["WWM_Wholesale_Warehouse_MW", "東京都心部・週末の利用者グループ", "🏋️‍♀️ gym-goers 💪🔥🏆🥇"],
    metrics: [AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary, missing: .zero)],
    minimumDetectableEffect: 0.03, baseline: 0.2)

  static let csv = """
    variant,segment,n,converted_sum
    control,WWM_Wholesale_Warehouse_MW,1200,240
    MMW_Weekend_Winback_a,WWM_Wholesale_Warehouse_MW,1210,282
    MMW_Weekend_Winback_b,WWM_Wholesale_Warehouse_MW,1190,250
    control,東京都心部・週末の利用者グループ,900,171
    MMW_Weekend_Winback_a,東京都心部・週末の利用者グループ,910,190
    MMW_Weekend_Winback_b,東京都心部・週末の利用者グループ,905,160
    control,🏋️‍♀️ gym-goers 💪🔥🏆🥇,700,140
    MMW_Weekend_Winback_a,🏋️‍♀️ gym-goers 💪🔥🏆🥇,690,150
    MMW_Weekend_Winback_b,🏋️‍♀️ gym-goers 💪🔥🏆🥇,710,139

    """

  static func analysis() throws -> Analysis {
    let directory = try makeTemporaryDirectory("strata-wide")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("wide-glyphs.csv")
    try csv.write(to: file, atomically: true, encoding: .utf8)
    return try Analyzer(plan: plan).analyze(try DataReader.read(path: file.path, plan: plan))
  }

  /// CJK and full-width forms at 1 em, an emoji of several code points (ZWJ, variation selector) as one glyph of
  /// 1.25 em, "…" at 1 em: Chromium's measured advances (check_reports, WenQuanYi Micro Hei, Noto Color Emoji,
  /// Liberation Sans) are 0.999, 1.247 and 0.999 em; each estimate here has the 10% margin on top.
  @Test func wideGlyphsAreEstimatedAtTheirDrawnWidth() {
    #expect(ForestPlot.textWidth("東京都・グ한ｗ", size: 10) == 7 * 10 * 1.1)
    #expect(ForestPlot.textWidth("🏋️‍♀️", size: 10) == 1.25 * 10 * 1.1)
    #expect(ForestPlot.textWidth("💪🔥", size: 10) == 2 * 1.25 * 10 * 1.1)
    #expect(ForestPlot.textWidth("…", size: 10) == 10 * 1.1)
    #expect(ForestPlot.textWidth("▲ +2.5", size: 10) == (0.722 + 0.278 + 0.584 + 0.584 + 0.278 + 0.584) * 10 * 1.1)
    // The phone chart's label line for the CJK segment (16 glyphs at 13 units, bold: at least 208 drawn) is
    // shortened to fit the chart's 314 units of room by the estimate.
    let room = ForestPlot.phoneWidth - 2 * ForestPlot.phoneMargin
    let row = ForestPlot.Row(
      label: Self.plan.segments[1], sublabel: Self.plan.variants[1], estimate: 0.02, lower: -0.01, upper: 0.05,
      significant: false, underpowered: false, pooled: false)
    let fitted = ForestPlot.fittedLabel(row, room: room)
    #expect(fitted.label == row.label && fitted.sublabel.contains("…"))
    #expect(13 * 16 + 8 + ForestPlot.textWidth(fitted.sublabel, size: 12) / 1.1 <= room, "\(fitted)")
  }

  /// The sequential charts' legend shortens a long comparison name in its middle: the segment at its end stays.
  @Test func aLongComparisonNameKeepsItsSegmentInTheLegend() {
    #expect(BoundaryChart.legendName("question.photo.learn · loyal") == "question.phot…earn · loyal")
    #expect(BoundaryChart.legendName("question.none.learn · loyal").hasSuffix(" · loyal"))
    #expect(BoundaryChart.legendName("short.none.buy · new") == "short.none.buy · new")
  }

  @Test func htmlMatchesSnapshot() throws {
    try ReportSnapshotTests.snapshot("wide-glyphs.html", HTMLReport.render(try Self.analysis()))
  }
}
