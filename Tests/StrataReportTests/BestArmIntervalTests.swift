import Foundation
import StrataAnalysis
import StrataReport
import StrataTestSupport
import Testing

/// Honest selection among arms (issue 18): the best arm's interval is adjusted for the arms compared.
///
/// At a fixed horizon the variant named best (or leading) is quoted with the simultaneous Bonferroni interval
/// over the K treatments compared, whichever Holm step its p-value falls on; credibility stays Holm's. Reference values from scipy 1.17.1 (Welch t test, t quantile) and
/// statsmodels 0.14.6 (Holm), by `Scripts/fixtures/best_arm_interval.py` on the same cells.
@Suite("The best arm's interval is adjusted for the arms compared")
struct BestArmIntervalTests {
  struct Expected {
    var variant: String
    var estimate: Double
    var holm: Double
    var lower: Double
    var upper: Double
  }

  static func plan(_ variants: [String]) -> AnalysisPlan {
    AnalysisPlan(
      id: "best-arm", name: "Best arm", variants: variants, segments: ["all"],
      metrics: [AnalysisPlan.Metric(name: "spend", kind: .continuous, role: .primary)])
  }

  /// Aggregated cells: (variant, n, sum, sum of squares), one segment.
  static func analysis(_ cells: [(String, Int, Double, Double)]) throws -> Analysis {
    let rows = cells.map { "\($0.0),all,\($0.1),\($0.2),\($0.3)" }
    let csv = (["variant,segment,n,spend_sum,spend_sum_sq"] + rows).joined(separator: "\n") + "\n"
    return try DecisionCases.analyze(plan(cells.map(\.0)), csv: csv)
  }

  /// Each arm's estimate, Holm p-value and simultaneous interval against the reference values.
  static func expectArms(_ d: Decision, _ expected: [Expected], level: Double, k: Int) throws {
    for e in expected {
      let effect = try #require(d.treatments.first { $0.treatment == e.variant }?.effect, "\(e.variant)")
      #expect(isClose(effect.estimate, e.estimate, relativeTolerance: 1e-9), "\(e.variant) estimate")
      #expect(isClose(try #require(effect.pValue), e.holm, relativeTolerance: 1e-9), "\(e.variant) Holm p")
      #expect(isClose(effect.lower, e.lower, relativeTolerance: 1e-9), "\(e.variant) lower \(effect.lower)")
      #expect(isClose(effect.upper, e.upper, relativeTolerance: 1e-9), "\(e.variant) upper \(effect.upper)")
      #expect(isClose(effect.level, level, relativeTolerance: 1e-15))
      #expect(effect.adjustedFor == k && effect.intervalAdjustment == "bonferroni")
      #expect(effect.credible == (e.holm < 0.05), "\(e.variant) credible")
    }
  }

  static func check(_ analysis: Analysis, _ expected: [Expected], named: String, level: Double, k: Int) throws {
    let d = analysis.decision
    #expect(d.variant == named)
    #expect(d.armsCompared == k)
    try expectArms(d, expected, level: level, k: k)
    // The named variant's interval is the one quoted, and the JSON says how it was adjusted.
    let quoted = try #require(d.effect)
    let mine = try #require(expected.first { $0.variant == named })
    #expect(isClose(quoted.lower, mine.lower, relativeTolerance: 1e-9))
    #expect(isClose(quoted.upper, mine.upper, relativeTolerance: 1e-9))
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(AnalysisJSON.value(analysis).serialized().utf8)) as? [String: Any])
    let effect = try #require((json["decision"] as? [String: Any])?["effect"] as? [String: Any])
    #expect(effect["ci_adjustment"] as? String == "bonferroni")
    #expect(effect["adjusted_for"] as? Int == k)
    #expect(isClose(try #require(effect["ci_low"] as? Double), mine.lower, relativeTolerance: 1e-9))
    #expect(DecisionText.headline(analysis).contains("adjusted for \(k) variants compared"))
  }

  @Test("nothing credible: the leading variant at Holm's second of three steps gets the 1 − α/3 interval")
  func leadingVariant() throws {
    let analysis = try Self.analysis([
      ("control", 2000, 20000, 231984), ("b", 2000, 20500, 242109), ("c", 2000, 20800, 378239),
      ("d", 2000, 19800, 228004),
    ])
    try Self.check(
      analysis,
      [
        Expected(
          variant: "b", estimate: 0.25, holm: 0.14452635809540226, lower: -0.052944662464208425,
          upper: 0.5529446624642085),
        Expected(
          variant: "c", estimate: 0.40000000000000036, holm: 0.14452635809540226, lower: -0.12754110467284507,
          upper: 0.9275411046728458),
        Expected(
          variant: "d", estimate: -0.09999999999999964, holm: 0.4292421916017759, lower: -0.40294466246420807,
          upper: 0.20294466246420878),
      ], named: "c", level: 1 - 0.05 / 3, k: 3)
    #expect(analysis.decision.action == .inconclusive)
    #expect(DecisionText.headline(analysis).contains("98.3% CI"))
    // Not credible: the interval reaching 0 is the expected reading, nothing more to say.
    #expect(!DecisionText.headline(analysis).contains("still reaches 0"))
  }

  @Test("credible at Holm's last step: the interval is still at 1 − α/K, and the verdict says it reaches 0")
  func credibleAtTheLastStep() throws {
    let analysis = try Self.analysis([
      ("control", 2000, 20000, 231984), ("b", 2000, 20800, 248304), ("c", 2000, 20940, 381160.8),
    ])
    try Self.check(
      analysis,
      [
        Expected(
          variant: "b", estimate: 0.40000000000000036, holm: 0.003154242014492759, lower: 0.11637565462421867,
          upper: 0.683624345375782),
        Expected(
          variant: "c", estimate: 0.47000000000000064, holm: 0.03291760416155285, lower: -0.02388731768701502,
          upper: 0.9638873176870163),
      ], named: "c", level: 0.975, k: 2)
    #expect(analysis.decision.action == .ship)
    let details = DecisionText.details(analysis).joined(separator: "\n")
    #expect(details.contains("although its interval reaches 0"), "\(details)")
    // The headline says it too: a reader of one sentence must not take the interval for proof of an effect.
    let headline = DecisionText.headline(analysis)
    #expect(headline.contains("97.5% CI"))
    #expect(
      headline.contains("its interval adjusted for the 2 variants compared still reaches 0: the size is uncertain"),
      "\(headline)")
  }

  @Test("futility is judged on the simultaneous intervals: a 95% interval below the MDE is not enough with K = 2")
  func futilityOnSimultaneousIntervals() throws {
    // Plan mde 0.5, 100 units per variant planned (so the sample is complete). c's plain 95% interval,
    // [-0.4606, +0.4806], lies below the MDE (stop_for_futility until 2026-12-05); its 97.5% interval does not.
    var plan = Self.plan(["control", "b", "c"])
    plan.minimumDetectableEffect = 0.5
    plan.plannedUnitsPerVariant = 100
    let rows = ["control,all,2000,20000,239980", "b,all,2000,20100,251980", "c,all,2000,20020,390705"]
    let csv = (["variant,segment,n,spend_sum,spend_sum_sq"] + rows).joined(separator: "\n") + "\n"
    let analysis = try DecisionCases.analyze(plan, csv: csv)
    let d = analysis.decision
    #expect(d.action == .inconclusive && d.reason == .notSignificant, "\(d.action) \(d.reason)")
    #expect(d.armsCompared == 2)
    let expected = [
      Expected(
        variant: "b", estimate: 0.05000000000000071, holm: 1.0, lower: -0.28633866387246837,
        upper: 0.3863386638724698),
      Expected(
        variant: "c", estimate: 0.009999999999999787, holm: 1.0, lower: -0.5282257794827729,
        upper: 0.5482257794827725),
    ]
    try Self.expectArms(d, expected, level: 0.975, k: 2)
    // b is below the MDE, c's adjusted upper bound is not: not every arm is, so no futility stop.
    let c = try #require(d.treatments.first { $0.treatment == "c" }?.effect)
    #expect(c.upper > 0.5 && c.upper < 0.55)
  }

  @Test("one treatment: the plan's level, no adjustment")
  func oneTreatment() throws {
    let analysis = try Self.analysis([("control", 2000, 20000, 231984), ("b", 2000, 20800, 248304)])
    let effect = try #require(analysis.decision.effect)
    #expect(effect.adjustedFor == 1 && effect.intervalAdjustment == "none")
    #expect(isClose(effect.level, 0.95, relativeTolerance: 1e-15))
    #expect(!DecisionText.headline(analysis).contains("adjusted for"))
  }
}
