import Foundation
import StrataTestSupport
import Testing

/// The ratio and CUPED example (`experiments/basket-bundle.yaml`): the unit-level file and the aggregated one
/// (cells summed by the generator in exact rational arithmetic, independently of Strata) give the same JSON,
/// with the adjusted comparison beside the unadjusted one and the post-stratified estimate beside the pooled.
@Suite("strata analyze: ratio metric with a CUPED covariate")
struct AnalyzeRatioCovariateCLITests {
  static let root = packageRootURL()
  static let experiment = root.appendingPathComponent("experiments/basket-bundle.yaml").path
  static let units = root.appendingPathComponent("experiments/data/basket-bundle.csv").path
  static let cells = root.appendingPathComponent("experiments/data/basket-bundle-cells.csv").path

  static func analyze(_ data: String) throws -> [String: Any] {
    let run = try runStrata(["analyze", "--experiment", experiment, "--data", data, "--no-look-log", "--json"])
    #expect(run.status == 0, "\(run.stderr)")
    return try run.json()
  }

  @Test func unitLevelAndAggregatedGiveTheSameResults() throws {
    let a = try Self.analyze(Self.units), b = try Self.analyze(Self.cells)
    let resultsA = try #require(a["results"] as? [[String: Any]])
    let resultsB = try #require(b["results"] as? [[String: Any]])
    #expect(resultsA.count == 9 && resultsB.count == 9)  // 3 metrics × (2 segments + overall)
    for (x, y) in zip(resultsA, resultsB) {
      for key in ["p_value", "lift_abs", "ci_abs_low", "ci_abs_high", "lift_rel", "mean_control", "rate_control"]
      where x[key] is Double {
        let u = try #require(x[key] as? Double), v = try #require(y[key] as? Double)
        #expect(isClose(u, v, relativeTolerance: 1e-9), "\(key): \(u) vs \(v)")
      }
      let adjustmentA = x["adjustment"] as? [String: Any], adjustmentB = y["adjustment"] as? [String: Any]
      #expect((adjustmentA == nil) == (adjustmentB == nil))
      if let adjustmentA, let adjustmentB {
        for key in ["variance_reduction", "equivalent_extra_units", "theta"] {
          let u = try #require(adjustmentA[key] as? Double), v = try #require(adjustmentB[key] as? Double)
          #expect(isClose(u, v, relativeTolerance: 1e-8), "\(key): \(u) vs \(v)")
        }
      }
    }
    let strataA = try #require(a["post_stratified"] as? [[String: Any]])
    let strataB = try #require(b["post_stratified"] as? [[String: Any]])
    #expect(strataA.count == 3 && strataB.count == 3)
    for (x, y) in zip(strataA, strataB) {
      let u = try #require(x["estimate"] as? Double), v = try #require(y["estimate"] as? Double)
      #expect(isClose(u, v, relativeTolerance: 1e-9))
    }
  }

  @Test func adjustedLeadsBesideTheUnadjusted() throws {
    let json = try Self.analyze(Self.units)
    let results = try #require(json["results"] as? [[String: Any]])
    let ratio = try #require(results.first { $0["metric"] as? String == "revenue_per_order" })
    #expect(ratio["kind"] as? String == "ratio")
    #expect(ratio["test"] as? String == "delta-cuped")
    let adjustment = try #require(ratio["adjustment"] as? [String: Any])
    let adjusted = try #require(adjustment["adjusted"] as? [String: Any])
    let unadjusted = try #require(adjustment["unadjusted"] as? [String: Any])
    #expect(adjusted["lift_abs"] as? Double == ratio["lift_abs"] as? Double)
    #expect(adjusted["p_value"] as? Double == ratio["p_value"] as? Double)
    let se = try #require(adjusted["se"] as? Double), rawSE = try #require(unadjusted["se"] as? Double)
    let reduction = try #require(adjustment["variance_reduction"] as? Double)
    #expect(isClose(reduction, 1 - se * se / (rawSE * rawSE), relativeTolerance: 1e-9))
    #expect(reduction > 0)
    // The guardrail has no covariate: no adjustment, the plain z test.
    let ordered = try #require(results.first { $0["metric"] as? String == "ordered" })
    #expect(ordered["adjustment"] is NSNull && ordered["test"] as? String == "z")
    let metrics = try #require((json["experiment"] as? [String: Any])?["metrics"] as? [[String: Any]])
    #expect(metrics[0]["numerator"] as? String == "revenue" && metrics[0]["label"] as? String == "revenue per order")
    let covariate = try #require(metrics[0]["covariate"] as? [String: Any])
    #expect(covariate["columns"] as? [String] == ["revenue_before", "orders_before"])
    let pooled = try #require(json["post_stratified"] as? [[String: Any]])
    #expect(pooled.first?["estimand"] as? String == "adjusted ratio difference")
  }

  @Test func reportsLabelTheRatioAndShowTheAdjustment() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("strata-ratio-\(UUID().uuidString)")
    let run = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", Self.units, "--no-look-log", "--report", directory.path,
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("Adjusted (CUPED) beside unadjusted:"))
    let markdown = try String(
      contentsOf: directory.appendingPathComponent("basket-bundle-2026.md"), encoding: .utf8)
    let html = try String(contentsOf: directory.appendingPathComponent("basket-bundle-2026.html"), encoding: .utf8)
    for text in [markdown, html] {
      #expect(text.contains("ratio: revenue per order; CUPED-adjusted on revenue"))
      #expect(text.contains("Adjusted (CUPED) beside unadjusted"))
      #expect(text.contains("Variance reduction"))
      #expect(text.contains("Post-stratified across segments"))
      #expect(text.contains("Control ratio (adjusted)"))
      #expect(text.contains("CUPED (covariate adjustment)") && text.contains("Ratio metric"))
    }
    #expect(html.contains("Difference in revenue per order (CUPED-adjusted) (variant − control)"))
  }
}
