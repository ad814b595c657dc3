import StrataAnalysis
import StrataReport
import Testing

/// The results CSV: one row per metric × segment × variant, and names that cannot run in a spreadsheet.
@Suite("Results CSV")
struct ResultsCSVTests {
  @Test func oneRowPerComparisonWithGuardedNames() throws {
    var plan = ReportSnapshotTests.plan
    plan.segments = ["=HYPERLINK(\"x\")", "regular"]
    let csv = ReportSnapshotTests.csv.replacingOccurrences(of: "\"vip<&>\"", with: "\"=HYPERLINK(\"\"x\"\")\"")
    let analysis = try DecisionCases.analyze(plan, csv: csv)
    let text = ResultsCSV.render(analysis)
    let lines = text.split(separator: "\n")
    #expect(lines.count == 1 + analysis.metrics.reduce(0) { $0 + $1.comparisons.count })
    #expect(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "the formula is written as text")
    #expect(!text.contains(",=HYPERLINK"))
    #expect(text.contains("\"treat\"\"ment'\""), "quotes are doubled inside a quoted cell")
    let header = lines[0].split(separator: ",").map(String.init)
    #expect(header.starts(with: ["metric", "kind", "role", "variant", "control", "scope", "segment"]))
    #expect(header.contains("shrunken") && header.contains("bayesian_chance_to_win"))
  }
}
