import Foundation
import StrataAnalysis
import StrataStats
import Testing

@Suite("Multiple-testing family with one segment")
struct SingleSegmentFamilyTests {
  /// With one segment, its comparison and the overall comparison are the same test; the family must count
  /// it once, so one treatment against control gets an adjusted p-value equal to its raw p-value.
  @Test func oneComparisonIsAFamilyOfOne() throws {
    let plan = AnalysisPlan(
      id: "single", variants: ["control", "treatment"], segments: ["default"],
      metrics: [AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary, missing: .zero)])
    var rows = "unit_id,variant,converted\n"
    for i in 0..<400 {
      let variant = i % 2 == 0 ? "control" : "treatment"
      let converted = variant == "control" ? (i % 10 == 0 ? 1 : 0) : (i % 5 == 1 ? 1 : 0)
      rows += "u\(i),\(variant),\(converted)\n"
    }
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("strata-single-\(UUID().uuidString).csv")
    try rows.write(to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    let analysis = try Analyzer(plan: plan).analyze(DataReader.read(path: url.path, plan: plan))
    #expect(analysis.family.size == 1)
    let inFamily = analysis.metrics[0].comparisons.filter(\.inFamily)
    #expect(inFamily.count == 1)
    let comparison = try #require(inFamily.first)
    #expect(comparison.adjustedPValue == comparison.pValue)
  }
}
