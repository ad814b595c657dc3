import Foundation
import StrataAnalysis
import StrataReport
import StrataTestSupport
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Degenerate data never crashes the analysis or the reports.
///
/// Empty segments, arms without units, no or all conversions, constant values, one-sided plans. Each case either
/// analyses (with notes) or is refused with an error, and every report it produces is well formed.
@Suite("Analysis robustness")
struct AnalysisRobustnessTests {
  @Test func degenerateAggregatesAnalyseAndRender() throws {
    var generator = SplitMix64(seed: 2026)
    let directory = try makeTemporaryDirectory("strata-robust")
    defer { try? FileManager.default.removeItem(at: directory) }
    var analysed = 0
    for trial in 0..<60 {
      let plan = AnalysisPlan(
        id: "robust", variants: ["control", "a", "b"], segments: ["s1", "s2", "s3"],
        metrics: [
          AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary, missing: .zero),
          AnalysisPlan.Metric(name: "value", kind: .continuous, role: .guardrail),
        ],
        alternative: trial % 3 == 0 ? .greater : .twoSided, minimumDetectableEffect: 0.02, baseline: 0.1)
      var csv = "variant,segment,n,converted_sum,value_n,value_sum,value_sum_sq\n"
      for variant in plan.variants {
        for segment in plan.segments {
          let n = [0, 1, 2, 5, 30, 1000].randomElement(using: &generator)!
          guard n > 0 || Bool.random(using: &generator) else { continue }
          let conversions = [0, n, n / 2, min(n, 1)].randomElement(using: &generator)!
          let valueN = [0, 1, n].randomElement(using: &generator)!
          let mean = [0.0, 3.5].randomElement(using: &generator)!
          let constant = Bool.random(using: &generator)
          let sumSquares = Double(valueN) * mean * mean + (constant ? 0 : Double(max(0, valueN - 1)) * 2.25)
          csv += "\(variant),\(segment),\(n),\(conversions),\(valueN),\(Double(valueN) * mean),\(sumSquares)\n"
        }
      }
      let file = directory.appendingPathComponent("case\(trial).csv")
      try csv.write(to: file, atomically: true, encoding: .utf8)
      let data = try DataReader.read(path: file.path, plan: plan)
      let analysis: Analysis
      do {
        analysis = try Analyzer(plan: plan).analyze(data)
      } catch {
        continue  // refusing degenerate data with an error is allowed; crashing is not
      }
      analysed += 1
      let json = AnalysisJSON.value(analysis).serialized()
      #expect((try? JSONSerialization.jsonObject(with: Data(json.utf8))) != nil, "trial \(trial): JSON")
      let html = HTMLReport.render(analysis)
      let parser = XMLParser(data: Data(html.utf8))
      #expect(parser.parse(), "trial \(trial): HTML not well formed at line \(parser.lineNumber)")
      #expect(!MarkdownReport.render(analysis).isEmpty)
      #expect(!AnalysisText.render(analysis).isEmpty)
      for metric in analysis.metrics {
        for comparison in metric.comparisons {
          if let p = comparison.pValue { #expect((0...1).contains(p), "trial \(trial)") }
          if let p = comparison.adjustedPValue { #expect((0...1).contains(p), "trial \(trial)") }
        }
      }
    }
    #expect(analysed >= 55, "degenerate cells should give notes, not refusals (analysed \(analysed) of 60)")
  }
}
