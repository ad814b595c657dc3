import Foundation
import StrataAnalysis
import StrataReport
import Testing

/// The decision of factorial experiments: the typed decision (cells against the control cell) and the
/// factorial findings, worded by the report layer (`DecisionText`, `FactorialText.findings`).
@Suite("Factorial decision text")
struct FactorialDecisionTextTests {
  /// A 2 × 2 (a, b) from per-cell aggregates: `cells[run] = (units, clicks)` in design run order.
  static func analyse(_ cells: [(Int, Int)]) throws -> Analysis {
    let definition = try ExperimentLoader.loadDefinition(
      yaml: """
        id: tiny
        factors: {a: [lo, hi], b: [lo, hi]}
        metrics:
          - name: clicked
            kind: binomial
        """, file: "tiny.yaml")
    var plan = AnalysisPlan(definition: definition)
    plan.factorialDesign = definition.factorialDesign
    var csv = "variant,n,clicked_sum\n"
    for (index, cell) in cells.enumerated() { csv += "\(plan.variants[index]),\(cell.0),\(cell.1)\n" }
    return try DecisionCases.analyze(plan, csv: csv)
  }

  @Test("bundled example: the findings name subject and the image × cta interaction, not the others")
  func bundledExample() throws {
    let analysis = try DecisionCases.example("email-factorial", data: "email-factorial")
    let bullets = DecisionText.bullets(analysis)
    let summary = try #require(bullets.first { $0.hasPrefix("Factorial: ") }, "\(bullets)")
    #expect(summary.contains("subject") && summary.contains("image × cta"), "\(summary)")
    let more = DecisionText.moreDetails(analysis)
    let first = try #require(more.firstIndex { $0.hasPrefix("Factorial: subject=question changes clicked by +2.1 pp") })
    #expect(more[first].contains("95% CI"))
    #expect(more.contains { $0.contains("image:cta interaction is detectable") })
    #expect(!more.contains { $0.contains("subject:image interaction") || $0.contains("subject:cta interaction") })
    #expect(more.contains { $0.hasPrefix("Factorial p-values are per test, not adjusted across the 7 ANOVA terms") })
  }

  @Test("no term detectable: no ship, and the findings say nothing is detectable")
  func nullIsNotShipped() throws {
    let analysis = try Self.analyse([(5000, 400), (5000, 405), (5000, 398), (5000, 402)])
    #expect(analysis.decision.action != .ship)
    #expect(
      DecisionText.bullets(analysis).contains { $0.hasPrefix("Factorial: no factor or interaction changes clicked") })
  }

  @Test("every change lowers the rate: do not ship")
  func controlBestIsNotShipped() throws {
    let analysis = try Self.analyse([(5000, 600), (5000, 400), (5000, 400), (5000, 200)])
    #expect(analysis.decision.action == .doNotShip)
    #expect(DecisionText.headline(analysis).hasPrefix("Do not ship"))
  }

  @Test("a sample ratio mismatch overrides the factorial findings")
  func mismatchIsUntrustworthy() throws {
    let analysis = try Self.analyse([(5000, 400), (6500, 700), (5000, 400), (5000, 400)])
    #expect(analysis.decision.action == .doNotTrust)
    #expect(DecisionText.bullets(analysis).first?.hasPrefix("Sample ratio mismatch") == true)
    #expect(DecisionText.headline(analysis).components(separatedBy: "sample ratio mismatch").count == 2)
  }
}
