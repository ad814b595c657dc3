import Foundation
import StrataAnalysis
import StrataReport
import StrataTestSupport
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Snapshots of the reports' "Sequential monitoring" section: look 2 of a 3-look plan after a recorded
/// look 1 (boundary chart, boundary table, look log), with the hostile names of `ReportSnapshotTests`.
///
/// Re-record with `STRATA_RECORD_SNAPSHOTS=1 swift test --filter SequentialReportSnapshotTests` and review.
@Suite("Sequential report snapshots")
struct SequentialReportSnapshotTests {
  /// `swapArms`: the treatment given the control's counts and the reverse, so every z is negative.
  static func analysis(swapArms: Bool = false) throws -> Analysis {
    var plan = ReportSnapshotTests.plan
    plan.looks = 3
    plan.sequential = SequentialSettings(maximumUnitsPerVariant: 6000)
    let directory = try makeTemporaryDirectory("strata-sequential-snapshot")
    defer { try? FileManager.default.removeItem(at: directory) }
    let logURL = directory.appendingPathComponent("looks.jsonl")
    // Look 1: about half of the final data (integer halves of every count and sum).
    let firstHalf = """
      variant,segment,n,converted_sum,revenue_sum,revenue_sum_sq,complained_sum
      control,"vip<&>",600,150,18000,750000,6
      "treat""ment'","vip<&>",590,168,18750,810000,7
      control,regular,2500,400,50000,1550000,20
      "treat""ment'",regular,2525,433,52000,1650000,19

      """
    var result = Analysis?.none
    for (index, csv) in [firstHalf, ReportSnapshotTests.csv].enumerated() {
      let file = directory.appendingPathComponent("spring-promo.csv")
      let treatment = "\"treat\"\"ment'\","
      let arms =
        swapArms
        ? csv.replacingOccurrences(of: "control,", with: "\u{0}").replacingOccurrences(of: treatment, with: "control,")
          .replacingOccurrences(of: "\u{0}", with: treatment) : csv
      try arms.write(to: file, atomically: true, encoding: .utf8)
      var analysis = try Analyzer(plan: plan).analyze(try DataReader.read(path: file.path, plan: plan))
      var sequentialGuard = SequentialGuard(
        plan: plan, log: try LookLog(url: logURL),
        now: Date(timeIntervalSince1970: 1_790_000_000 + 86_400 * Double(index)))
      try sequentialGuard.apply(to: &analysis)
      result = analysis
    }
    return try #require(result)
  }

  /// At an interim look the best segment is labelled as interim, never as where the variant "works best".
  @Test func anInterimLookLabelsTheBestSegmentAsInterim() throws {
    let analysis = try Self.analysis()
    #expect(analysis.decision.action == .keepRunning)
    let best = try #require(analysis.decision.bestSegment)
    let details = DecisionText.details(analysis)
    #expect(
      details.contains {
        $0.hasPrefix("Interim, not to act on before the next decision point: so far") && $0.contains(best.segment)
      })
    #expect(!details.contains { $0.contains("Works best") })
    for rendering in [MarkdownReport.render(analysis), AnalysisText.render(analysis)] {
      #expect(!rendering.contains("Works best"))
    }
  }

  @Test func markdownMatchesSnapshot() throws {
    let markdown = MarkdownReport.render(try Self.analysis())
    #expect(markdown.contains("## Sequential monitoring"))
    try ReportSnapshotTests.snapshot("spring-promo-sequential.md", markdown)
  }

  @Test func htmlMatchesSnapshotAndIsWellFormed() throws {
    let html = HTMLReport.render(try Self.analysis())
    try ReportSnapshotTests.snapshot("spring-promo-sequential.html", html)
    let parser = XMLParser(data: Data(html.utf8))
    let delegate = ElementCounter()
    parser.delegate = delegate
    #expect(parser.parse(), "XML parse error: \(parser.parserError.map { "\($0)" } ?? "none")")
    #expect(html.components(separatedBy: "class=\"planned-boundary\"").count - 1 == 2)  // ± (two-sided)
    // Boundary chart: observed z at 2 looks × 2 segments × 1 treatment, plus one legend mark per comparison.
    let chart = try #require(html.range(of: "class=\"boundary-chart\"").map { html[$0.lowerBound...] })
    let boundaryChart = try #require(chart.range(of: "</svg>").map { chart[..<$0.lowerBound] })
    #expect(boundaryChart.components(separatedBy: "<circle").count - 1 == 4 + 2)
    // One trajectory line per comparison in each of the boundary and cumulative-lift charts.
    #expect(delegate.elements["polyline", default: 0] == 2 + 2 + 2)
    for raw in ["vip<&>", "treat\"ment'"] { #expect(!html.contains(raw), "unescaped \(raw)") }
  }
}
