import Foundation
import StrataAnalysis
import StrataStats
import Testing

/// The verdict of factorial experiments is driven by the factorial fit, not by one cell-vs-control pair.
@Suite("Factorial verdict")
struct FactorialVerdictTests {
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
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("strata-verdict-\(UUID()).csv")
    try csv.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    return try Analyzer(plan: plan).analyze(DataReader.read(path: file.path, plan: plan, options: DataReadOptions()))
  }

  @Test("bundled example: the headline names subject, image, image × cta and the best cell with its Šidák interval")
  func bundledExample() throws {
    let analysis = try FactorialAnalyzeTests.analysis.get()
    let verdict = analysis.verdict
    let result = try #require(analysis.factorial?.metrics.first?.overall?.result)
    let best = result.bestCell
    #expect(verdict.tone == .positive)
    #expect(
      verdict.headline.hasPrefix(
        "Factorial result for clicked: subject and image change it and the effect of image depends on cta"))
    #expect(!verdict.headline.contains("subject:cta") && !verdict.headline.contains("depends on subject"))
    #expect(verdict.headline.contains("subject=question vs short +2.1 pp"))
    let interval =
      "[\(NumberText.level(best.simultaneousInterval.lower, binomial: true)), \(NumberText.level(best.simultaneousInterval.upper, binomial: true))]"
    #expect(
      verdict.headline.contains(
        "The best cell, subject=question, image=none, cta=learn, is at \(NumberText.level(best.fitted, binomial: true)) (95% interval simultaneous over all 8 cells, Šidák: \(interval))"
      ), "\(verdict.headline)")
    #expect(verdict.headline.hasSuffix("P-values are per term (α = 0.050 each), not adjusted across the 7 terms."))
    // The pairwise cell-vs-control verdict is kept, but as a detail after the factorial findings.
    #expect(!verdict.headline.contains("raised clicked"))
    let pairwise = try #require(
      verdict.details.firstIndex { $0.hasPrefix("Pairwise, each cell against short.photo.buy") })
    let lastFinding = try #require(verdict.details.lastIndex { $0.hasPrefix("Factorial") })
    #expect(lastFinding < pairwise)
    #expect(verdict.details[pairwise].contains("question.none.learn raised clicked"))
  }

  @Test("no term detectable: inconclusive, and the best cell is said to be no evidence")
  func nullIsInconclusive() throws {
    let analysis = try Self.analyse([(5000, 400), (5000, 405), (5000, 398), (5000, 402)])
    #expect(analysis.verdict.tone == .inconclusive)
    #expect(analysis.verdict.headline.hasPrefix("No factor or interaction changes clicked detectably"))
    #expect(analysis.verdict.headline.contains("no evidence that it beats the other cells"))
  }

  @Test("every change lowers the rate: the control cell is best and the tone is negative")
  func controlBestIsNegative() throws {
    let analysis = try Self.analyse([(5000, 600), (5000, 400), (5000, 400), (5000, 200)])
    #expect(analysis.verdict.tone == .negative)
    #expect(
      analysis.verdict.headline.hasPrefix("Factorial result for clicked: a and b change it."),
      "\(analysis.verdict.headline)")
    #expect(analysis.verdict.headline.contains("The best cell, a=lo, b=lo,"))
  }

  @Test("a sample ratio mismatch overrides the factorial headline, once")
  func mismatchIsUntrustworthy() throws {
    let analysis = try Self.analyse([(5000, 400), (6500, 700), (5000, 400), (5000, 400)])
    let verdict = analysis.verdict
    #expect(verdict.tone == .untrustworthy)
    #expect(verdict.headline.hasPrefix("Do not act on these results yet"))
    #expect(verdict.headline.components(separatedBy: "sample ratio mismatch").count == 2)
    #expect(verdict.details.first?.hasPrefix("Sample ratio mismatch") == true)
    let pairwise = try #require(verdict.details.first { $0.hasPrefix("Pairwise") })
    #expect(!pairwise.contains("Do not act"))
  }
}
