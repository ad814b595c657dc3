import Foundation
import StrataAnalysis
import StrataStats
import Testing

@testable import StrataReport
import StrataTestSupport

/// The post-stratified estimates' segment weights: in each variant's row when short, else a table of their own
/// below the estimates, a row a segment (`ReportTables.postStratifiedTables`).
///
/// Listed in the rows, 30 of 40 segments named by 75 characters made each variant's cell 2,300 characters: 881 px
/// tall at 1,280 px, 3,688 px at 390 px, and printed it left the page before the table 13% used.
@Suite("Post-stratified weights")
struct PostStratifiedWeightsTests {
  /// Short lists (two segments with short names) stay in the row, as before.
  @Test func shortWeightsStayInTheRow() throws {
    let analysis = try ReportSnapshotTests.analysis()
    let metric = try #require(analysis.metrics.first { !$0.postStratified.isEmpty })
    let tables = ReportTables.postStratifiedTables(metric, plan: analysis.plan, segments: ReportSegments(analysis))
    #expect(tables.count == 1)
    #expect(tables[0].header.last == "Segment weights (share of units)")
    #expect(tables[0].rows.first?.last == "vip<&> 19%, regular 81%")
    #expect(!HTMLReport.render(analysis).contains("class=\"pairs\""))
  }

  /// Long names: the estimates without the weights, then one row a segment with its share as the analysis has it.
  @Test func longWeightsAreATableOfTheirOwn() throws {
    let analysis = try LongNameReportTests.analysis()
    let metric = try #require(analysis.metrics.first)
    let estimate = try #require(metric.postStratified.first)
    #expect(ReportTables.weightsText(estimate, shown: ReportSegments(analysis)).count > ReportTables.inlineWeights)
    let tables = ReportTables.postStratifiedTables(metric, plan: analysis.plan, segments: ReportSegments(analysis))
    #expect(tables.count == 2)
    #expect(tables[0].header == ["Variant", "Post-stratified difference", "95% CI", "p"])
    #expect(tables[0].rows.map(\.count) == [4])
    let weights = tables[1]
    #expect(weights.header == ["Segment", "Share of units"])
    #expect(weights.rows.map(\.[0]) == estimate.segmentsUsed)
    #expect(weights.rows.map(\.[1]) == estimate.weights.map { NumberText.percent($0, digits: 0) })
    #expect(weights.rows.map(\.[1]) == ["57%", "43%"])

    let html = HTMLReport.render(analysis)
    #expect(
      html.contains(
        "<table class=\"pairs\"><caption>Segment weights of the post-stratified estimates (share of units)</caption><thead><tr><th scope=\"col\">Segment</th><th class=\"num\" scope=\"col\">Share of units</th></tr></thead>"
      ))
    #expect(!html.contains("Segment weights (share of units)"))
    let markdown = MarkdownReport.render(analysis)
    #expect(
      markdown.contains(
        "*Segment weights of the post-stratified estimates (share of units)*\n\n| Segment | Share of units |\n| --- | ---: |\n| \(MarkdownReport.escape(LongNameReportTests.longWord)) | 57% |\n| \(LongNameReportTests.longPhrase) | 43% |\n"
      ))
    #expect(!markdown.contains("Segment weights (share of units)"))
  }

  /// Variants that weigh the segments differently (one leaves a segment out) get a column each, "—" where a
  /// segment is left out; segments the report does not show are one row, their total share.
  @Test func unlikeWeightsAndSegmentsNotShown() throws {
    let names = (1...(ReportSegments.limit + 2)).map { "segment_of_the_warehouse_with_a_long_name_\($0)" }
    let plan = Self.plan(id: "many-segments", name: "Many segments", segments: names)
    var analysis = try Self.analysis(plan)
    let shown = ReportSegments(analysis)
    let hidden = names.filter { !shown.contains($0) }
    #expect(hidden.count == 2)

    var metric = try #require(analysis.metrics.first)
    #expect(metric.postStratified.count == 2)
    let alike = ReportTables.postStratifiedTables(metric, plan: plan, segments: shown)[1]
    #expect(alike.header == ["Segment", "Share of units"])
    #expect(alike.rows.count == ReportSegments.limit + 1)
    let first = metric.postStratified[0]
    let rest = zip(first.segmentsUsed, first.weights).filter { hidden.contains($0.0) }.map(\.1).reduce(0, +)
    #expect(alike.rows.last == ["2 more segments", NumberText.percent(rest, digits: 0)])

    // Variant b leaves the first segment out: its weights are the other segments' shares.
    var b = metric.postStratified[1]
    b.segmentsUsed.removeFirst()
    let total = b.weights.dropFirst().reduce(0, +)
    b.weights = b.weights.dropFirst().map { $0 / total }
    metric.postStratified[1] = b
    analysis.metrics[0] = metric
    let unlike = ReportTables.postStratifiedTables(metric, plan: plan, segments: shown)[1]
    #expect(unlike.header == ["Segment", "a: share of units", "b: share of units"])
    #expect(unlike.rows[0] == [names[0], NumberText.percent(first.weights[0], digits: 0), "—"])
    #expect(unlike.rows[1][2] == NumberText.percent(b.weights[0], digits: 0))
    #expect(!HTMLReport.render(analysis).contains("class=\"pairs\""))
  }

  /// The terminal says it as the reports do.
  ///
  /// Long weights are a table of their own below the estimates, a row a segment, so no line of the post-stratified
  /// section is longer than `inlineWeights` characters (on main, 40 segments named by 45 characters made each
  /// variant's line about 1,500 characters; check-reports' forty segments of 75 characters, 2,420). Short weights
  /// stay in the row.
  @Test func terminalLongWeightsAreATableOfTheirOwn() throws {
    let names = (1...40).map { "segment_of_the_warehouse_with_a_long_name_\($0)" }
    let analysis = try Self.analysis(Self.plan(id: "forty-segments", name: "Forty segments", segments: names))
    let shown = ReportSegments(analysis)
    let listed = names.filter { shown.contains($0) }
    #expect(listed.count == ReportSegments.limit)

    let text = AnalysisText.render(analysis)
    let section = try #require(
      text.components(separatedBy: "Post-stratified across segments (segments weighted by their share of units):\n")
        .dropFirst().first)
    let lines = Array(section.components(separatedBy: "\n").prefix { !$0.hasPrefix("Partial pooling") && !$0.isEmpty })
    #expect(lines.first?.hasPrefix("Variant") == true)
    #expect(lines.first?.hasSuffix(" p") == true)  // the estimates end with their p-value, right-aligned
    #expect(lines.allSatisfy { $0.count <= ReportTables.inlineWeights })
    let title = try #require(lines.firstIndex(of: "\(ReportTables.postStratifiedWeightsTitle):"))
    #expect(title == 3)  // the header and a row a variant, then the weights
    let rows = lines[(title + 1)...].map {
      $0.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
    let estimate = try #require(analysis.metrics.first?.postStratified.first)
    let weight = Dictionary(uniqueKeysWithValues: zip(estimate.segmentsUsed, estimate.weights))
    #expect(rows.first == ["Segment", "Share of units"])
    #expect(rows.dropFirst().dropLast().map(\.[0]) == listed)
    #expect(
      rows.dropFirst().dropLast().map(\.[1]) == listed.map { NumberText.percent(weight[$0] ?? .nan, digits: 0) })
    #expect(rows.last?.first == "10 more segments")

    let short = AnalysisText.render(try ReportSnapshotTests.analysis())
    #expect(short.contains("vip<&> 19%, regular 81%"))
    #expect(!short.contains(ReportTables.postStratifiedWeightsTitle))
  }

  /// A binary metric over `segments` with a control and two treatments.
  static func plan(id: String, name: String, segments: [String]) -> AnalysisPlan {
    AnalysisPlan(
      id: id, name: name, variants: ["control", "a", "b"], segments: segments,
      metrics: [AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary, missing: .zero)],
      minimumDetectableEffect: 0.03, baseline: 0.2)
  }

  /// The analysis of aggregated rows for `plan`'s segments: 400 units in the first, 10 more in each next one, and
  /// conversion rates of 20% (control), 22% (a) and 21% (b), read from a file as `strata analyze` reads one.
  static func analysis(_ plan: AnalysisPlan) throws -> Analysis {
    var csv = "variant,segment,n,converted_sum\n"
    for (index, name) in plan.segments.enumerated() {
      for (variant, rate) in [("control", 0.2), ("a", 0.22), ("b", 0.21)] {
        let n = 400 + 10 * index
        csv += "\(variant),\(name),\(n),\(Int((Double(n) * rate).rounded()))\n"
      }
    }
    let directory = try makeTemporaryDirectory("strata-weights")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("segments.csv")
    try csv.write(to: file, atomically: true, encoding: .utf8)
    return try Analyzer(plan: plan).analyze(try DataReader.read(path: file.path, plan: plan))
  }
}
