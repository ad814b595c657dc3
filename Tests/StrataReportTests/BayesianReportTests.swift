import Foundation
import StrataAnalysis
import StrataDefinitions
import StrataReport
import StrataStats
import StrataTestSupport
import Testing

/// The Bayesian summaries in the Markdown and HTML reports.
///
/// A "Chance to win" column in each metric's results table, and a folded Bayesian summary (posterior lift,
/// credible interval, chance to win, the risks) labelled with the plan's scale and prior. The cells are checked
/// against the Gaussian posterior worked out here from the fixture's counts (delta method for the relative lift,
/// conjugate normal update for the prior), not against the analysis' own numbers.
@Suite("Bayesian summaries in the reports")
struct BayesianReportTests {
  static func analysis(
    prior: Double? = nil, scale: StatisticalPlan.BayesianScale = .relative, csv: String = ReportSnapshotTests.csv
  ) throws -> Analysis {
    var plan = ReportSnapshotTests.plan
    plan.prior = prior
    plan.bayesianScale = scale
    let directory = try makeTemporaryDirectory("strata-bayes")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("spring-promo.csv")
    try csv.write(to: file, atomically: true, encoding: .utf8)
    return try Analyzer(plan: plan).analyze(try DataReader.read(path: file.path, plan: plan))
  }

  static func phi(_ x: Double) -> Double { exp(-x * x / 2) / (2 * Double.pi).squareRoot() }
  static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.squareRoot()) }

  /// The five Bayesian cells of a rate comparison (posterior lift, 95% credible interval, chance to win, risk
  /// of shipping, risk of keeping control), from the arms' counts; higher is better.
  static func rateCells(
    control: (n: Double, x: Double), treatment: (n: Double, x: Double), relative: Bool, prior: Double?
  ) -> [String] {
    let pc = control.x / control.n
    let pt = treatment.x / treatment.n
    let vc = pc * (1 - pc) / control.n
    let vt = pt * (1 - pt) / treatment.n
    var mean = relative ? pt / pc - 1 : pt - pc
    var variance = relative ? vt / (pc * pc) + pt * pt * vc / (pc * pc * pc * pc) : vt + vc
    if let prior {
      let precision = 1 / variance + 1 / (prior * prior)
      mean = mean / variance / precision
      variance = 1 / precision
    }
    let sd = variance.squareRoot()
    let z = 1.959963984540054
    let shipping = sd * phi(mean / sd) - mean * cdf(-mean / sd)
    let keeping = sd * phi(mean / sd) + mean * cdf(mean / sd)
    return [
      relative ? NumberText.relative(mean) : NumberText.points(mean),
      relative
        ? "[\(NumberText.relative(mean - z * sd)), \(NumberText.relative(mean + z * sd))]"
        : NumberText.interval(mean - z * sd, mean + z * sd, binomial: true),
      NumberText.chance(cdf(mean / sd)),
      ReportTables.risk(shipping, relative: relative, binomial: true),
      ReportTables.risk(keeping, relative: relative, binomial: true),
    ]
  }

  /// The fixture's converted counts: vip<&> 300/1,200 against 345/1,180, regular 800/5,000 against 860/5,050.
  static let vip = (control: (n: 1200.0, x: 300.0), treatment: (n: 1180.0, x: 345.0))
  static let regular = (control: (n: 5000.0, x: 800.0), treatment: (n: 5050.0, x: 860.0))

  /// The Markdown row of `segment` in the Bayesian summary of the first metric.
  static func markdownRow(_ markdown: String, segment: String) -> String? {
    let summary = markdown.components(separatedBy: "<details><summary>Bayesian summary")[1]
    return summary.components(separatedBy: "\n").first { $0.hasPrefix("| \(segment) |") }
  }

  static func markdownCells(_ cells: [String]) -> String {
    cells.map { $0.replacingOccurrences(of: "[", with: "\\[").replacingOccurrences(of: "]", with: "\\]") }
      .map { $0.replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "<", with: "&lt;") }
      .joined(separator: " | ")
  }

  static func htmlCells(_ cells: [String], header: [String]) -> String {
    zip(header, cells).map { label, cell in
      let escaped = cell.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;")
      return "<td class=\"num\" data-label=\"\(label)\">\(escaped)</td>"
    }.joined()
  }

  @Test("flat prior on the relative lift: the column, the note and the folded summary in Markdown and HTML")
  func flatPriorRelativeLift() throws {
    let analysis = try Self.analysis()
    let markdown = MarkdownReport.render(analysis)
    let html = HTMLReport.render(analysis)
    let label = "relative lift, flat (improper) prior"
    for (segment, counts) in [("vip&lt;&amp;&gt;", Self.vip), ("regular", Self.regular)] {
      let cells = Self.rateCells(
        control: counts.control, treatment: counts.treatment, relative: true, prior: nil)
      let row = try #require(Self.markdownRow(markdown, segment: segment), "\(segment)")
      #expect(row == "| \(segment) | treat\"ment' | \(Self.markdownCells(cells)) |")
      let header = [
        "Posterior relative lift", "95% credible interval", "Chance to win", "Risk of shipping the variant",
        "Risk of keeping control",
      ]
      #expect(
        html.contains(
          "<th scope=\"row\" data-label=\"Segment\">\(segment)</th><td data-label=\"Variant\">treat&quot;ment&#39;</td>"
            + Self.htmlCells(cells, header: header)), "\(segment): HTML Bayesian row")
      // The results table's column carries the same chance, just before the flags.
      let chance = cells[2].replacingOccurrences(of: ">", with: "&gt;")
      #expect(
        html.contains(
          "<td class=\"num\" data-label=\"Chance to win\">\(chance)</td><td class=\"highlight\" data-label=\"Flags\">"))
    }
    #expect(markdown.contains("| p | Adjusted p | Chance to win | Flags |"))
    #expect(markdown.contains("<details><summary>Bayesian summary: chance to win and risk (\(label))</summary>"))
    #expect(
      html.contains(
        "<details class=\"bayesian\"><summary>Bayesian summary: chance to win and risk (\(label))</summary>"))
    // The scale and prior are said in the summary's title (above), not again in the note.
    #expect(markdown.contains("from that row's data alone (Gaussian approximation)"))
    #expect(html.contains("from that row&#39;s data alone (Gaussian approximation)"))
    // One summary per metric (converted, revenue, complained), and the glossary explains the terms.
    #expect(html.components(separatedBy: "<details class=\"bayesian\">").count == 4)
    #expect(markdown.contains("**Chance to win, risk**") || markdown.contains("Chance to win, risk"))
    #expect(html.contains("<dt>Chance to win, risk</dt>"))
    // The terminal table keeps its columns.
    #expect(!AnalysisText.render(analysis).contains("Chance to win"))
  }

  @Test("a normal prior on the relative lift is named with its σ, and the cells are the posterior under it")
  func normalPriorRelativeLift() throws {
    let analysis = try Self.analysis(prior: 0.1)
    let markdown = MarkdownReport.render(analysis)
    let label = "relative lift, normal prior N(0, σ²) with σ = 0.1 = 10.0% of the control mean (the plan's prior)"
    #expect(markdown.contains("Bayesian summary: chance to win and risk (\(label))"))
    let cells = Self.rateCells(
      control: Self.vip.control, treatment: Self.vip.treatment, relative: true, prior: 0.1)
    let flat = Self.rateCells(control: Self.vip.control, treatment: Self.vip.treatment, relative: true, prior: nil)
    #expect(cells[0] != flat[0], "the prior pulls the posterior toward 0")
    let row = try #require(Self.markdownRow(markdown, segment: "vip&lt;&amp;&gt;"))
    #expect(row == "| vip&lt;&amp;&gt; | treat\"ment' | \(Self.markdownCells(cells)) |")
  }

  @Test("the absolute scale: the lift and risks in pp, the prior's σ in pp too")
  func absoluteScale() throws {
    let analysis = try Self.analysis(prior: 0.02, scale: .absolute)
    let markdown = MarkdownReport.render(analysis)
    let html = HTMLReport.render(analysis)
    let label = "absolute lift (pp), normal prior N(0, σ²) with σ = 0.02 = 2.0 pp (the plan's prior)"
    #expect(markdown.contains("Bayesian summary: chance to win and risk (\(label))"))
    #expect(html.contains("data-label=\"Posterior lift (pp)\""))
    for (segment, counts) in [("vip&lt;&amp;&gt;", Self.vip), ("regular", Self.regular)] {
      let cells = Self.rateCells(
        control: counts.control, treatment: counts.treatment, relative: false, prior: 0.02)
      #expect(cells[3].hasSuffix(" pp") && cells[4].hasSuffix(" pp"))
      let row = try #require(Self.markdownRow(markdown, segment: segment))
      #expect(row == "| \(segment) | treat\"ment' | \(Self.markdownCells(cells)) |")
    }
  }

  @Test("a control mean of 0: that row is on the absolute difference with a flat prior and says so")
  func controlMeanZeroFallsBack() throws {
    let csv = ReportSnapshotTests.csv.replacingOccurrences(
      of: "control,regular,5000,800,", with: "control,regular,5000,0,")
    let analysis = try Self.analysis(prior: 0.1, csv: csv)
    let markdown = MarkdownReport.render(analysis)
    let row = try #require(Self.markdownRow(markdown, segment: "regular"))
    let cells = Self.rateCells(
      control: (n: 5000, x: 0), treatment: Self.regular.treatment, relative: false, prior: nil)
    var marked = cells
    marked[0] += " (absolute, flat prior: control mean 0)"
    #expect(row == "| regular | treat\"ment' | \(Self.markdownCells(marked)) |")
    // The row's lift cell says so (above); the note under the results table no longer repeats it.
    #expect(!markdown.contains("(the absolute difference with a flat prior where the control mean is 0)"))
  }

  @Test("risks read in two significant digits, never a false zero")
  func riskText() {
    #expect(ReportTables.risk(0.001234, relative: true, binomial: true) == "0.12%")
    #expect(ReportTables.risk(0.00000004, relative: true, binomial: false) == "< 0.01%")
    #expect(ReportTables.risk(0.0035, relative: false, binomial: true) == "0.35 pp")
    #expect(ReportTables.risk(1.234, relative: false, binomial: false) == "1.2")
    #expect(ReportTables.risk(1530.2, relative: false, binomial: false) == "1,530")
    #expect(ReportTables.risk(0, relative: false, binomial: false) == "0")
    #expect(ReportTables.risk(.nan, relative: true, binomial: true) == "n/a")
  }
}
