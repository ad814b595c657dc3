import Foundation
import StrataAnalysis
import StrataDefinitions
import StrataStats
import StrataTestSupport
import Testing

@testable import StrataReport

/// Values of a metric in a very large or very small unit read as numbers: the gym example's revenue × 10^90 printed
/// its guardrail bullet and table cells as 90-digit strings, and revenue × 10^-157 as 0.000.
@Suite("Numbers at extreme magnitudes")
struct ExtremeMagnitudeTests {
  /// The gym example with its revenue column multiplied by `scale` (the empty cells stay empty).
  static func gymRenewal(revenueTimes scale: Double) throws -> Analysis {
    let definition = try ExperimentLoader.loadDefinition(
      contentsOf: DecisionCases.repository.appendingPathComponent("experiments/gym-renewal.yaml"))
    let plan = AnalysisPlan(definition: definition)
    let lines = try String(
      contentsOf: DecisionCases.repository.appendingPathComponent("experiments/data/gym-renewal.csv"), encoding: .utf8
    ).split(separator: "\n")
    let revenue = try #require(lines[0].split(separator: ",").firstIndex(of: "revenue"))
    let scaled = lines.dropFirst().map { line in
      var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      if let value = Double(fields[revenue]) { fields[revenue] = "\(value * scale)" }
      return fields.joined(separator: ",")
    }
    let directory = try makeTemporaryDirectory("strata-extreme")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("gym-renewal.csv")
    try ([String(lines[0])] + scaled).joined(separator: "\n").appending("\n").write(
      to: file, atomically: true, encoding: .utf8)
    return try Analyzer(plan: plan).analyze(try DataReader.read(path: file.path, plan: plan))
  }

  /// The guardrail bullet and the "All segments" row of revenue's table, in the terminal text and the Markdown report,
  /// show three significant digits and the exponent (the difference is 22.24 × scale, the means 261.5 and 283.8).
  @Test(arguments: [
    (1e90, "+2.22e+91", ["2.62e+92", "2.84e+92", "+2.22e+91", "[+1.46e+91, +2.98e+91]"]),
    (1e-157, "+2.22e-156", ["2.62e-155", "2.84e-155", "+2.22e-156", "[+1.46e-156, +2.98e-156]"]),
  ])
  func theGuardrailBulletAndTheTableShowAnExponent(scale: Double, difference: String, cells: [String]) throws {
    let analysis = try Self.gymRenewal(revenueTimes: scale)
    let bullet = "Guardrail revenue rose under reminder_social, the variant to ship: \(difference) (p = 9.9e-09,"
    let text = AnalysisText.render(analysis)
    #expect(text.contains(bullet))
    let textRow = try #require(
      text.split(separator: "\n").first { $0.hasPrefix("All segments  reminder_social") && $0.contains("welch") })
    let textCells = textRow.split(separator: "  ").map { $0.trimmingCharacters(in: .whitespaces) }
    #expect(textCells.filter { !$0.isEmpty }.dropFirst(3).prefix(4) == cells[...], "\(textRow)")
    let markdown = MarkdownReport.render(analysis)
    #expect(markdown.contains(MarkdownReport.escape(bullet)))
    let markdownCells = cells.map { "**\(MarkdownReport.escape($0))**" }.joined(separator: " | ")
    #expect(markdown.contains("| **7,787 / 7,850** | \(markdownCells) | **+8.5%** |"), "\(markdownCells)")
    #expect(!text.contains("0.000 ") && !text.contains("00000000000"))
  }

  /// Ordinary values keep their decimals; the exponent starts at 10^15 and below 0.0005 where the decimals would
  /// show 0 (never for 0 itself).
  @Test func ordinaryValuesKeepTheirDecimals() {
    #expect(NumberText.number(999_999_999_999_999.9, digits: 1) == "999999999999999.9")
    #expect(NumberText.number(1e15, digits: 1) == "1.00e+15")
    #expect(NumberText.number(-2.5e20, digits: 1, sign: true) == "−2.50e+20")
    #expect(NumberText.number(0.0005, digits: 3) == "0.001")
    #expect(NumberText.number(0.0004, digits: 4) == "0.0004")
    #expect(NumberText.number(0.0004, digits: 3, sign: true) == "+4.00e-04")
    #expect(NumberText.minus(-3.1e-157, digits: 3) == "−3.10e-157")
    #expect(NumberText.number(0, digits: 3, sign: true) == "0.000")
    #expect(NumberText.effect(12.04, binomial: false) == "+12.04")
    #expect(NumberText.level(355.29, binomial: false) == "355.3")
  }

  /// The charts' axis ticks too: a step of 10^15 or more, or below 10^-6, in exponent form; others as before.
  @Test func chartTicksShowAnExponent() {
    #expect(ChartScale.differenceLabel(4e91, 2e91) == "+4e+91")
    #expect(ChartScale.differenceLabel(-5e-157, 5e-157) == "−5e-157")
    #expect(ChartScale.differenceLabel(1e-160, 5e-157) == "0")
    #expect(ChartScale.differenceLabel(0.5, 0.5) == "+0.5")
    #expect(ChartScale.differenceLabel(-20, 10) == "−20")
  }

  /// The forest plot of revenue × 10^-157 spreads its marks over an axis of the data's own size.
  ///
  /// A fixed 10^-9 of padding drew every segment's mark at the same place, 0, with ticks of 2e-10: the wide and the
  /// phone chart alike.
  @Test func aForestPlotOfTinyValuesSpreadsItsMarks() throws {
    let analysis = try Self.gymRenewal(revenueTimes: 1e-157)
    let revenue = try #require(analysis.metrics.first { $0.metric.name == "revenue" })
    let charts = try #require(ForestPlot.charts(revenue, plan: analysis.plan, segments: ReportSegments(analysis)))
    for chart in [charts.whole, charts.phone] {
      let marks = chart.split(separator: "<circle cx=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
      #expect(marks.count >= 4 && Set(marks).count >= 3, "\(marks)")
      #expect(chart.contains("e-156<") && !chart.contains("e-10<"))
    }
  }

  /// The axis of a range of zero width still has a span; a range of 10^-156 gets ticks of its own size.
  @Test func chartAxesFitTheData() {
    let tiny = ChartScale.axis(low: 0, high: 3e-156, divisions: 6)
    let close = { (a: Double, b: Double) in abs(a / b - 1) < 1e-12 }
    #expect(close(tiny.step, 1e-156) && close(tiny.low, -1e-156) && close(tiny.high, 4e-156), "\(tiny)")
    #expect(close(ChartScale.axis(low: 0, high: 0, divisions: 6).step, 5e-10))
    #expect(ChartScale.axis(low: -1.2, high: 3.4, divisions: 5) == (-2, 4, 2))
    #expect(ChartScale.levelLabel(2.5e-155, 5e-156) == "2.5e-155")
    #expect(ChartScale.levelLabel(1e-160, 5e-156) == "0")
    #expect(ChartScale.levelLabel(12.5, 0.5) == "12.5" && ChartScale.levelLabel(40, 10) == "40")
  }

  /// A Bayesian risk of revenue × 10^90 (absolute scale): the report stopped with "Double value cannot be converted
  /// to Int64" (`NumberText.count` of a whole 2.2 × 10^91).
  @Test func aHugeRiskIsWrittenWithAnExponent() {
    #expect(ReportTables.risk(2.2237e91, relative: false, binomial: false) == "2.2e+91")
    #expect(ReportTables.risk(1530.2, relative: false, binomial: false) == "1,530")
  }

  /// An interval in exponent form is a number to right-align; words beside an "e" are still words.
  @Test func exponentCellsAlignAsNumbers() {
    #expect(ReportTables.isNumericCell("[+1.46e+91, +2.98e+91]"))
    #expect(ReportTables.isNumericCell("0.00 [0.00, 6.55e+91]"))
    #expect(!ReportTables.isNumericCell("3 (REML)"))
    #expect(!ReportTables.isNumericCell("2e+5 units"))
  }
}
