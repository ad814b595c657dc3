import Foundation
import StrataAnalysis
import StrataReport
import StrataStats
import Testing

/// The verdict's per-segment lines name the family their adjusted p comes from: the headline's adjusted p is
/// Holm over the variants compared, the segment lines' is the plan's correction over every segment × variant
/// comparison of the family, and the same words for both misled (a review finding on issue 18).
@Suite("Segment lines: the adjusted p says which family")
struct SegmentLineTests {
  static func segmentLines(_ analysis: Analysis) -> [String] {
    DecisionText.details(analysis).filter { $0.hasPrefix("In segment ") }
  }

  @Test("Holm over the family's segment × variant comparisons, with the family's size")
  func holmFamily() throws {
    let analysis = try ReportSnapshotTests.analysis()
    #expect(analysis.family.correction == .holm)
    let lines = Self.segmentLines(analysis)
    #expect(!lines.isEmpty)
    let c = try #require(analysis.metrics[0].comparisons.first { $0.segment != nil && $0.significant })
    let adjusted = try #require(c.adjustedPValue)
    let p = NumberText.pValue(adjusted)
    let expected =
      "(p = \(p), holm-adjusted over the \(analysis.family.size) segment × variant comparisons; partially pooled"
    #expect(lines.contains { $0.contains(expected) }, "\(lines)")
    #expect(!lines.contains { $0.contains("holm-adjusted p =") }, "the old wording")
  }

  @Test("no correction: the p is called unadjusted, not \"none-adjusted\"")
  func noCorrection() throws {
    var plan = ReportSnapshotTests.plan
    plan.correction = .none
    let analysis = try DecisionCases.analyze(plan, csv: ReportSnapshotTests.csv)
    let lines = Self.segmentLines(analysis)
    #expect(!lines.isEmpty)
    #expect(lines.allSatisfy { $0.contains(", unadjusted") && !$0.contains("none-adjusted") }, "\(lines)")
  }
}
