import Foundation
import StrataAnalysis
import StrataReport
import StrataStats
import Testing

/// Issue 18, honest selection: wherever the JSON names a best segment it gives how many were compared and
/// the interval adjusted for them, never the raw one alone.
///
/// `partial_pooling[].best_segment` names the best segment of every treatment (the report's pooling table
/// notes it as "best of K segments (shrunken); quote [...] (adjusted for the K segments × V variants
/// compared)"); until 2026-12-05 the JSON gave only its name. `best_segment_quoted` carries the object
/// `decision.best_segment` has for the decision's variant.
@Suite("partial_pooling[].best_segment_quoted")
struct BestSegmentQuotedJSONTests {
  /// Ten regions × five treatments on aggregated cells: conversion 10% in control, each treatment's lift plus
  /// a region's own deviation, so the segments differ (τ̂² > 0) and each treatment has a best region.
  static func manySegments() throws -> Analysis {
    let regions = ["north", "south", "east", "west", "centre", "coast", "hills", "lakes", "plains", "islands"]
    let deviations = [-0.012, 0.004, 0.010, -0.006, 0.0, 0.015, 0.008, -0.003, 0.012, -0.010]
    let lifts = ["v1": 0.01, "v2": 0.02, "v3": 0.025, "v4": 0.015, "v5": 0.03]
    let treatments = lifts.keys.sorted()
    let plan = AnalysisPlan(
      id: "promo-many", name: "Promo banner, five variants across ten regions", variants: ["control"] + treatments,
      segments: regions,
      metrics: [AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary, missing: .zero)],
      minimumDetectableEffect: 0.02, baseline: 0.1, plannedUnitsPerVariant: 4000)
    var csv = "variant,segment,n,converted_sum\n"
    for (k, region) in regions.enumerated() {
      let n = 2000 * (k + 1)
      csv += "control,\(region),\(n),\(n / 10)\n"
      for (index, treatment) in treatments.enumerated() {
        let rate = 0.1 + (lifts[treatment] ?? 0) + deviations[k] * Double(index + 1) / 3
        csv += "\(treatment),\(region),\(n),\(Int((Double(n) * rate).rounded()))\n"
      }
    }
    return try DecisionCases.analyze(plan, csv: csv)
  }

  @Test("Every named best segment carries its adjusted interval and counts; the decision's is decision.best_segment")
  func everyBestSegmentIsQuotedHonestly() throws {
    var kinds: Set<String> = []
    var beyondTheDecision = 0
    var decisions = 0
    for analysis in [
      try Self.manySegments(), try DecisionCases.example("email-factorial", data: "email-factorial"),
      try DecisionCases.example("gym-renewal", data: "gym-renewal"),
    ] {
      let plan = analysis.plan
      let json = try NoSegmentStandsOutTests.json(analysis)
      let decision = try #require(json["decision"] as? [String: Any])
      let pools = try #require(json["partial_pooling"] as? [[String: Any]])
      #expect(!pools.isEmpty, "\(plan.id)")
      for pool in pools {
        let variant = try #require(pool["variant"] as? String)
        guard let best = pool["best_segment"] as? String else {
          #expect(pool["best_segment_quoted"] is NSNull, "\(plan.id) \(variant)")
          continue
        }
        let quoted = try #require(pool["best_segment_quoted"] as? [String: Any], "\(plan.id) \(variant)")
        #expect(quoted["segment"] as? String == best && quoted["variant"] as? String == variant)
        // How many were compared: the segments pooled, times the treatments the decision chose among.
        let segments = try #require(quoted["segments_compared"] as? Int)
        let variants = try #require(quoted["variants_compared"] as? Int)
        #expect(segments == pool["segments_pooled"] as? Int)
        #expect(variants == plan.variants.count - 1)
        #expect(quoted["adjusted_for"] as? Int == segments * variants)
        let each = try #require(quoted["ci_level_each"] as? Double)
        #expect(abs(each - (1 - plan.alpha / Double(segments * variants))) < 1e-12, "\(plan.id) \(variant): \(each)")
        #expect(quoted["ci_level"] as? Double == plan.confidenceLevel)
        // Beside the raw estimate, the shrunken one, as the pooling's own row gives them.
        let rows = try #require(pool["segments"] as? [[String: Any]])
        let row = try #require(rows.first { $0["segment"] as? String == best })
        #expect(quoted["raw"] as? Double == row["raw"] as? Double)
        #expect(quoted["estimate"] as? Double == row["shrunken"] as? Double)
        let low = try #require(quoted["ci_low"] as? Double)
        let high = try #require(quoted["ci_high"] as? Double)
        let kind = try #require(quoted["interval"] as? String)
        kinds.insert(kind)
        if kind == "raw_adjusted" {
          // Two segments: the raw interval at 1 − α/(V·K), raw ± z·se.
          let raw = try #require(row["raw"] as? Double)
          let se = try #require(row["raw_se"] as? Double)
          let z = try Normal.inverseSurvival((1 - each) / 2)
          #expect(abs(low - (raw - z * se)) < 1e-12 && abs(high - (raw + z * se)) < 1e-12, "\(plan.id) \(variant)")
        } else {
          // The calibrated interval at 1 − α/(V·K): wider than the segment's own at the plan's level.
          #expect(["morris_adjusted", "hierarchical_bayes_adjusted"].contains(kind))
          let ownLow = try #require(row["calibrated_ci_low"] as? Double)
          let ownHigh = try #require(row["calibrated_ci_high"] as? Double)
          #expect(high - low > ownHigh - ownLow, "\(plan.id) \(variant)")
        }
        let named = decision["best_segment"] as? [String: Any]
        if decision["variant"] as? String == variant, decision["metric"] as? String == pool["metric"] as? String,
          let named
        {
          #expect(NSDictionary(dictionary: quoted).isEqual(to: named), "\(plan.id): the decision's own object")
          decisions += 1
        } else {
          beyondTheDecision += 1
        }
      }
    }
    #expect(kinds == ["morris_adjusted", "hierarchical_bayes_adjusted", "raw_adjusted"], "\(kinds)")
    #expect(decisions == 3, "each analysis's decision names a best segment")
    #expect(beyondTheDecision >= 4, "treatments other than the decision's name a best segment too")
  }
}
