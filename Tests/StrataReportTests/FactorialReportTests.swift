import Foundation
import StrataAnalysis
import StrataDefinitions
import StrataDesign
import StrataReport
import StrataStats
import StrataTestSupport
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The factorial section of the reports: snapshots, well-formedness, escaping, and the JSON keys.
@Suite("Factorial reports")
struct FactorialReportTests {
  /// A 2 × 2 with a hostile factor name (escaped everywhere) and two segments, from per-cell aggregates.
  static func analysis() throws -> Analysis {
    let design = try FactorialDesign(fullFactorial: [
      Factor(name: "subject", levels: ["short", "question"]), Factor(name: "cta<&>", levels: ["buy", "learn"]),
    ])
    let variants = design.runs.indices.map { design.levelLabels(ofRun: $0).joined(separator: ".") }
    var plan = AnalysisPlan(
      id: "mini-factorial", name: "Mini factorial", variants: variants, segments: ["loyal", "new"],
      metrics: [
        AnalysisPlan.Metric(name: "clicked", kind: .binomial, role: .primary, missing: .zero),
        AnalysisPlan.Metric(name: "revenue", kind: .continuous, role: .secondary),
      ])
    plan.factorialDesign = design
    let csv = """
      variant,segment,n,clicked_sum,revenue_sum,revenue_sum_sq
      short.buy,loyal,1000,60,2400,190000
      question.buy,loyal,1010,82,3300,260000
      short.learn,loyal,990,58,2300,180000
      question.learn,loyal,1005,101,4100,330000
      short.buy,new,2000,90,3600,280000
      question.buy,new,1990,121,4800,380000
      short.learn,new,2010,95,3800,300000
      question.learn,new,2005,150,6000,470000

      """
    let directory = try makeTemporaryDirectory("strata-mini")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("mini-factorial.csv")
    try csv.write(to: file, atomically: true, encoding: .utf8)
    return try Analyzer(plan: plan).analyze(try DataReader.read(path: file.path, plan: plan))
  }

  @Test func markdownMatchesSnapshot() throws {
    try ReportSnapshotTests.snapshot("mini-factorial.md", MarkdownReport.render(try Self.analysis()))
  }

  @Test func htmlMatchesSnapshot() throws {
    try ReportSnapshotTests.snapshot("mini-factorial.html", HTMLReport.render(try Self.analysis()))
  }

  @Test func htmlIsWellFormedWithAnInteractionPlot() throws {
    let html = HTMLReport.render(try Self.analysis())
    let parser = XMLParser(data: Data(html.utf8))
    let delegate = ElementCounter()
    parser.delegate = delegate
    #expect(
      parser.parse(), "XML parse error: \(parser.parserError.map { "\($0)" } ?? "none") at line \(parser.lineNumber)")
    #expect(html.contains("class=\"interaction\""))
    #expect(delegate.elements["polyline", default: 0] == 4)  // 2 metrics × 2 lines (levels of the second factor)
    #expect(!html.contains("cta<&>") && html.contains("cta&lt;&amp;&gt;"))
    // The decision leads (issue 12: the verdict within the first screen), then the factorial section, then
    // the pairwise tables.
    let factorial = try #require(html.range(of: "Factorial analysis"))
    let verdict = try #require(html.range(of: "class=\"verdict"))
    #expect(verdict.lowerBound < factorial.lowerBound)
  }

  @Test func jsonCarriesTheFactorialObject() throws {
    let analysis = try Self.analysis()
    guard case .object(let top) = AnalysisJSON.value(analysis) else { Issue.record("not an object"); return }
    let factorial = try #require(top.first { $0.0 == "factorial" }?.1)
    guard case .object(let fields) = factorial else { Issue.record("factorial is not an object"); return }
    #expect(
      fields.map(\.0) == [
        "design", "factors", "run_count", "generators", "defining_relation", "resolution", "aliasing_caveats",
        "metrics",
      ])
    let text = factorial.serialized()
    for key in ["\"anova\"", "\"marginal_means\"", "\"level_differences\"", "\"best_cell\"", "\"interaction_means\""] {
      #expect(text.contains(key), "missing \(key)")
    }
  }

  @Test func nonFactorialAnalysesHaveANullFactorialKey() throws {
    let analysis = try ReportSnapshotTests.analysis()
    #expect(analysis.factorial == nil)
    guard case .object(let top) = AnalysisJSON.value(analysis) else { Issue.record("not an object"); return }
    #expect(top.first { $0.0 == "factorial" }?.1 == .null)
    #expect(!MarkdownReport.render(analysis).contains("Factorial analysis"))
  }
}
