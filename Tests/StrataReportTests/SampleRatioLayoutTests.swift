import Foundation
import StrataAnalysis
import StrataReport
import StrataStats
import StrataTestSupport
import Testing

/// The SRM table's layout: wide (a column per variant) for few variants, long (a row per segment ×
/// variant) above `ReportTables.sampleRatioWideLimit`, in every renderer.
@Suite("Sample ratio table layout")
struct SampleRatioLayoutTests {
  /// `variantCount` variants (planned equal) in two segments; the last variant short of units in "new".
  static func analysis(variantCount: Int) throws -> Analysis {
    let variants = (0..<variantCount).map { "cell\($0)" }
    let plan = AnalysisPlan(
      id: "many-cells", name: "Many cells", variants: variants, segments: ["loyal", "new"],
      metrics: [AnalysisPlan.Metric(name: "clicked", kind: .binomial, role: .primary, missing: .zero)])
    var csv = "variant,segment,n,clicked_sum\n"
    for (index, variant) in variants.enumerated() {
      csv += "\(variant),loyal,\(1000 + 3 * index),\(50 + index)\n"
      csv += "\(variant),new,\(index == variantCount - 1 ? 1500 : 2000 - index),\(90 + index)\n"
    }
    let directory = try makeTemporaryDirectory("strata-srm")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("many-cells.csv")
    try csv.write(to: file, atomically: true, encoding: .utf8)
    return try Analyzer(plan: plan).analyze(try DataReader.read(path: file.path, plan: plan))
  }

  @Test("up to the limit the table is wide: one row per segment plus overall")
  func wideUpToTheLimit() throws {
    let analysis = try Self.analysis(variantCount: ReportTables.sampleRatioWideLimit)
    let table = ReportTables.sampleRatio(analysis.sampleRatio, plan: analysis.plan)
    #expect(table.rows.count == 3)
    #expect(table.header.count == 1 + ReportTables.sampleRatioWideLimit + 4)
  }

  @Test("eight variants: one row per segment × variant with shares, residuals and one test per segment")
  func longAboveTheLimit() throws {
    let analysis = try Self.analysis(variantCount: 8)
    let check = analysis.sampleRatio
    let table = ReportTables.sampleRatio(check, plan: analysis.plan)
    #expect(table.header.count == 9)
    #expect(table.rows.count == 3 * 8)
    #expect(table.rows.allSatisfy { $0.count == table.header.count })
    // Segment name and χ² test on the first row of each block only.
    #expect(table.rows.map { $0[0] }.filter { !$0.isEmpty } == ["loyal", "new", "All segments"])
    #expect(table.rows.filter { !$0[5].isEmpty }.count == 3)
    #expect(table.rows[8][5] == NumberText.number(check.segments[1].statistic))
    #expect(table.rows[8][8] == (check.segments[1].mismatch ? "YES" : "no"))
    #expect(table.classes.suffix(8).allSatisfy { $0.contains("overall") })
    #expect(table.classes.enumerated().allSatisfy { $0.element.contains("continued") == ($0.offset % 8 != 0) })
    // "new", cell7: 1,500 of 15,472 units (9.7%) against 1,934 expected (12.5%): residual (1500 − 1934)/√1934.
    let newTotal = Double(check.segments[1].observed.reduce(0, +))
    let expected = newTotal / 8
    let row = table.rows[15]
    #expect(row[1] == "cell7")
    #expect(row[2] == "1,500 / \(NumberText.count(expected))")
    #expect(row[3] == "\(NumberText.percent(1500 / newTotal)) / 12.5%")
    #expect(row[4] == NumberText.number((1500 - expected) / expected.squareRoot(), sign: true))
    #expect(check.segments[1].mismatch)
  }

  @Test("plan vs observed: eight equal shares read compactly, with the observed range and its variants")
  func compactPlannedSplit() throws {
    let analysis = try Self.analysis(variantCount: 8)
    let row = try #require(ReportTables.planVersusObserved(analysis).rows.first { $0[0] == "Planned split" })
    #expect(row[1] == "8 equal shares of 12.5%")
    let shares = (0..<8).map { Double(analysis.data.statistics.units(variant: $0)) / Double(analysis.data.units) }
    let low = try #require(shares.indices.min { shares[$0] < shares[$1] })
    #expect(row[2].hasPrefix("observed \(NumberText.percent(shares[low])) (cell\(low)) to "))
    let few = try Self.analysis(variantCount: 3)
    let wide = try #require(ReportTables.planVersusObserved(few).rows.first { $0[0] == "Planned split" })
    #expect(wide[1] == "cell0 33%, cell1 33%, cell2 33%")
  }

  @Test("the terminal table stays narrow for eight variants and every renderer uses the long layout")
  func renderersUseTheLongLayout() throws {
    let analysis = try Self.analysis(variantCount: 8)
    let text = AnalysisText.render(analysis)
    let srmLines = text.split(separator: "\n").prefix { !$0.hasPrefix("Decision:") }
    #expect(srmLines.map(\.count).max() ?? 0 <= 120)
    #expect(text.contains("Share (obs / plan)"))
    let markdown = MarkdownReport.render(analysis)
    #expect(markdown.contains("| Segment | Variant | Units (obs / exp) | Share (obs / plan) |"))
    #expect(!markdown.contains("cell7 (observed / expected)"))
    let html = HTMLReport.render(analysis)
    #expect(html.contains("<th scope=\"col\">Variant</th>"))
    #expect(!html.contains("cell7 (observed / expected)"))
  }

  @Test("terminal: the wide table's counts are right-aligned under every variant, the first one included")
  func wideTerminalCountsAreRightAligned() throws {
    let analysis = try Self.analysis(variantCount: 3)
    let lines = AnalysisText.render(analysis).split(separator: "\n").map(String.init)
    let header = try #require(lines.first { $0.hasPrefix("Segment") && $0.contains("(observed / expected)") })
    let loyal = try #require(lines.first { $0.hasPrefix("loyal ") })
    let counts = ReportTables.sampleRatio(analysis.sampleRatio, plan: analysis.plan).rows[0]
    // Each variant's "observed / expected" cell ends where its header ends (by position, the first variant's
    // cell began under its header's start instead).
    for (index, variant) in analysis.plan.variants.enumerated() {
      let title = try #require(header.range(of: "\(variant) (observed / expected)"))
      let cell = try #require(loyal.range(of: counts[1 + index]))
      #expect(
        loyal.distance(from: loyal.startIndex, to: cell.upperBound)
          == header.distance(from: header.startIndex, to: title.upperBound), "\(variant)")
    }
  }
}
