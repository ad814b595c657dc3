import Foundation
import StrataAnalysis
import Testing

@testable import StrataReport

/// A tall forest plot prints as blocks of rows (issue 18: a 21-row chart scaled to one page printed its text
/// at 4.9 pt): whole segments per block where they fit, no block over the print height, one x scale.
@Suite("Forest plot blocks for print")
struct ForestPlotBlockTests {
  static func rows(_ segments: [(String, Int)], pooled: Int) -> [ForestPlot.Row] {
    var rows: [ForestPlot.Row] = []
    for (segment, variants) in segments {
      for v in 0..<variants {
        rows.append(
          ForestPlot.Row(
            label: segment, sublabel: "v\(v)", estimate: 0, lower: -1, upper: 1, significant: false,
            underpowered: false, pooled: false))
      }
    }
    for v in 0..<pooled {
      rows.append(
        ForestPlot.Row(
          label: "Pooled", sublabel: "v\(v)", estimate: 0, lower: -1, upper: 1, significant: false,
          underpowered: false, pooled: true))
    }
    return rows
  }

  static func shape(_ blocks: [[ForestPlot.Row]]) -> [[String]] { blocks.map { $0.map(\.label) } }

  @Test func segmentsStayWholeAndBlocksAreEven() {
    // The email example: 2 segments × 7 variants and 7 pooled rows, 7 a block.
    let factorial = ForestPlot.blocks(Self.rows([("loyal", 7), ("new", 7)], pooled: 7), cap: 7)
    #expect(factorial.map(\.count) == [7, 7, 7])
    #expect(Self.shape(factorial).map { Set($0).count } == [1, 1, 1])
    // The city example: 8 segments of one variant and the pooled row, 7 a block: two blocks of 5 and 4.
    let city = ForestPlot.blocks(Self.rows((1...8).map { ("city\($0)", 1) }, pooled: 1), cap: 7)
    #expect(city.map(\.count) == [5, 4])
    // A segment with more rows than a block is cut into near-equal parts.
    let wide = ForestPlot.blocks(Self.rows([("all", 9)], pooled: 0), cap: 7)
    #expect(wide.map(\.count) == [5, 4])
  }

  @Test func aTallChartPrintsAsBlocksOnTheWholeChartsScale() throws {
    let analysis = try FactorialReportTests.analysis()
    let metric = try #require(analysis.metrics.first)
    let charts = try #require(ForestPlot.charts(metric, plan: analysis.plan))
    #expect(!charts.printBlocks.isEmpty)
    let ticks = { (svg: String) in
      svg.components(separatedBy: "class=\"tick\" text-anchor=\"middle\">").dropFirst().map { $0.prefix { $0 != "<" } }
    }
    let viewBoxHeight = { (svg: String) -> Double in
      Double(svg.split(separator: "viewBox=\"0 0 ")[1].split(separator: "\"")[0].split(separator: " ")[1]) ?? 0
    }
    for block in charts.printBlocks {
      #expect(ticks(block) == ticks(charts.whole))
      #expect(viewBoxHeight(block) <= ForestPlot.printBlockHeight)
    }
    #expect(viewBoxHeight(charts.whole) > ForestPlot.printBlockHeight)
    // Every row of the whole chart is in one block, once.
    let rowsText = { (svg: String) in svg.components(separatedBy: "class=\"sublabel\">").count - 1 }
    #expect(charts.printBlocks.map(rowsText).reduce(0, +) == rowsText(charts.whole))
  }

  @Test func everyPrintedBlockSaysWhichMetricAndWhichBlock() throws {
    // Printed, a block at the top of a page showed only the axis title: the metric's name was in the SVG's
    // <title> (not printed) and the caption comes after the last block.
    let analysis = try FactorialReportTests.analysis()
    let metric = try #require(analysis.metrics.first)
    let heading = "Primary metric: \(metric.metric.name)"
    let charts = try #require(ForestPlot.charts(metric, plan: analysis.plan, heading: heading))
    let count = charts.printBlocks.count
    #expect(count > 1)
    for (index, block) in charts.printBlocks.enumerated() {
      let title = index == 0 ? "\(heading) (1 of \(count))" : "\(heading), continued (\(index + 1) of \(count))"
      // A visible paragraph before the chart, not text inside the SVG's <title>.
      #expect(block.hasPrefix("<div class=\"print-block\"><p class=\"print-block-title\">\(title)</p><svg "))
    }
    #expect(!charts.whole.contains("print-block-title"))
  }

  @Test func printedBlockTitlesNameTheMetricAsItsSectionHeadingDoes() throws {
    // The report: each section's printed blocks start with the section's heading ("Primary metric: clicked"),
    // not the metric's bare name ("clicked, continued (2 of 3)").
    let html = HTMLReport.render(try FactorialReportTests.analysis())
    let sections = html.components(separatedBy: "<section><h2>").dropFirst()
    var checked = 0
    for section in sections {
      let heading = String(section.prefix { $0 != "<" })
      let titles = section.components(separatedBy: "<p class=\"print-block-title\">").dropFirst()
        .map { String($0.prefix { $0 != "<" }) }
      for (index, title) in titles.enumerated() {
        #expect(title == "\(heading)\(index == 0 ? "" : ", continued") (\(index + 1) of \(titles.count))")
        checked += 1
      }
    }
    #expect(checked > 1)
  }
}
