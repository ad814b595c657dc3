import Foundation
import StrataAnalysis
import StrataReport
import Testing

/// The verdict's guardrail sentences say which variant each is about, the decision's variant first: a
/// guardrail that moved under another variant, listed beside the variant to ship, read as if it were the
/// shipped variant's (the gym example: revenue under reminder_progress beside the shipped reminder_social).
@Suite("Guardrail sentences name their variant, the decision's first")
struct GuardrailSentenceTests {
  /// Three arms of 2,000 units in one segment, aggregated cells with sd 5.
  ///
  /// b raises spend (primary) by 1 (z ≈ 6.3), a does not; both raise revenue (guardrail), a more than b.
  static func analysis() throws -> Analysis {
    let plan = AnalysisPlan(
      id: "guardrail-sentences", name: "Guardrail sentences", variants: ["control", "a", "b"], segments: ["all"],
      metrics: [
        AnalysisPlan.Metric(name: "spend", kind: .continuous, role: .primary),
        AnalysisPlan.Metric(name: "revenue", kind: .continuous, role: .guardrail),
      ])
    let n = 2000.0
    func cell(_ mean: Double) -> String { "\(Int(n)),\(n * mean),\((n - 1) * 25 + n * mean * mean)" }
    let csv = """
      variant,segment,n,spend_sum,spend_sum_sq,revenue_n,revenue_sum,revenue_sum_sq
      control,all,\(cell(10)),\(cell(20))
      a,all,\(cell(10)),\(cell(22))
      b,all,\(cell(11)),\(cell(21))

      """
    return try DecisionCases.analyze(plan, csv: csv)
  }

  @Test func theShippedVariantsGuardrailComesFirstAndEachSaysWhichVariant() throws {
    let analysis = try Self.analysis()
    #expect(analysis.decision.action == .ship)
    #expect(analysis.decision.variant == "b")
    let details = DecisionText.details(analysis)
    let shipped = try #require(
      details.firstIndex { $0.hasPrefix("Guardrail revenue rose under b, the variant to ship:") })
    let other = try #require(
      details.firstIndex { $0.hasPrefix("Guardrail revenue rose under a (not the variant to ship):") })
    #expect(shipped < other)
    #expect(DecisionText.bullets(analysis).contains(details[shipped]))
  }
}
