import StrataStats

/// Decides what to do from a finished analysis: one `Decision` for the primary metric.
///
/// Each treatment's headline effect is the pooled estimate across segments (the overall comparison for a
/// single segment), with the interval of the rule that decides:
/// - fixed horizon: credible when its Holm-adjusted p-value (across the K treatments) is below α; the
///   interval is the simultaneous (Bonferroni) one at level 1 − α/K, so the variant named best has an
///   interval adjusted for the K compared whichever Holm step it falls on (it can reach 0 while Holm's later,
///   less strict steps call the variant credible);
/// - group-sequential look: the repeated confidence interval estimate ± c·se, c this look's planned
///   boundary for α/K (Jennison & Turnbull 2000, ch. 9), credible when it excludes 0;
/// - always-valid plan or unplanned look: the mixture-SPRT interval at α/K, valid at any look.
/// A sample ratio mismatch makes the action `doNotTrust` whatever the numbers say.
public struct DecisionMaker: Sendable {
  public var analysis: Analysis

  public init(analysis: Analysis) { self.analysis = analysis }

  /// How the interval and credibility of each treatment are decided at this look.
  enum Rule {
    case fixed
    case groupSequential(critical: Double)
    case alwaysValid(tau: Double)
  }

  public func decide() -> Decision {
    let plan = analysis.plan
    let mismatch = analysis.sampleRatio.mismatch
    guard let primaryIndex = plan.primaryMetricIndex else {
      return Decision(
        action: mismatch ? .doNotTrust : .inconclusive, reason: mismatch ? .sampleRatioMismatch : .noTest,
        metric: nil, variant: nil, effect: nil, treatments: [], nextStep: Decision.NextStep())
    }
    let metric = analysis.metrics[primaryIndex]
    let higherIsBetter = plan.metrics[primaryIndex].higherIsBetter
    let sequential = analysis.look.sequential
    let rule = self.rule(sequential)
    let effects = Self.effects(metric, plan: plan, rule: rule)
    let good: (Decision.Effect) -> Bool = { BestChoice.isGood($0.estimate, higherIsBetter: higherIsBetter) }
    // The rule `strata simulate pooling --variants` scores too.
    let chosen = BestChoice.variant(
      estimates: effects.map(\.estimate), credible: effects.map(\.credible), higherIsBetter: higherIsBetter
    ).map { effects[$0] }
    let next = NextStepPlanner(analysis: analysis, metric: metric).nextStep(effect: chosen, treatments: effects.count)
    var (action, reason) = Self.action(
      rule: rule, sequential: sequential, effects: effects, improves: effects.contains { $0.credible && good($0) },
      harms: effects.contains { $0.credible && !good($0) }, next: next, higherIsBetter: higherIsBetter,
      analysis: analysis)
    if mismatch { (action, reason) = (.doNotTrust, .sampleRatioMismatch) }
    let treatments = effects.map { effect -> Decision.TreatmentDecision in
      let own: (Decision.Action, Decision.Reason)
      if mismatch {
        own = (.doNotTrust, .sampleRatioMismatch)
      } else if effect.credible {
        let why: Decision.Reason =
          switch rule {
          case .fixed: good(effect) ? .significantImprovement : .significantHarm
          case .groupSequential: .boundaryCrossed
          case .alwaysValid: .alwaysValidSignificant
          }
        own = (good(effect) ? .ship : .doNotShip, why)
      } else {
        own = (
          action == .ship || action == .doNotShip ? .inconclusive : action, action == .ship ? .notSignificant : reason
        )
      }
      return Decision.TreatmentDecision(treatment: effect.treatment, action: own.0, reason: own.1, effect: effect)
    }
    var decision = Decision(
      action: action, reason: reason, metric: metric.metric.name, variant: chosen?.treatment, effect: chosen,
      treatments: treatments, nextStep: next, higherIsBetter: higherIsBetter, sequential: sequential != nil,
      unplannedLook: sequential?.unplanned ?? false)
    decision.bestSegment = chosen.flatMap {
      Decision.BestSegment(metric, treatment: $0.treatment, level: plan.confidenceLevel)
    }
    decision.noSegmentStandsOut = chosen.flatMap { Decision.NoSegmentStandsOut(metric, treatment: $0.treatment) }
    return decision
  }

  private func rule(_ sequential: SequentialAnalysis?) -> Rule {
    guard let sequential else { return .fixed }
    let treatments = Double(max(1, analysis.plan.treatmentIndices.count))
    if sequential.method == "group-sequential", !sequential.unplanned {
      let settings = analysis.plan.sequential
      if let design = try? GroupSequentialDesign(
        looks: analysis.plan.looks, fractions: settings.fractions, alpha: analysis.plan.alpha / treatments,
        alternative: analysis.plan.alternative, spending: settings.spending),
        let boundaries = try? design.boundaries(), boundaries.indices.contains(sequential.look - 1)
      {
        return .groupSequential(critical: boundaries[sequential.look - 1].z)
      }
    }
    return .alwaysValid(tau: sequential.tau)
  }

  /// The overall action and its reason, before the sample ratio check.
  private static func action(
    rule: Rule, sequential: SequentialAnalysis?, effects: [Decision.Effect], improves: Bool, harms: Bool,
    next: Decision.NextStep, higherIsBetter: Bool, analysis: Analysis
  ) -> (Decision.Action, Decision.Reason) {
    if effects.isEmpty { return (.inconclusive, .noTest) }
    switch rule {
    case .fixed:
      if improves { return (.ship, .significantImprovement) }
      if harms { return (.doNotShip, .significantHarm) }
      if (next.moreUnitsPerArm ?? 0) > 0 { return (.keepRunning, .belowPlannedSample) }
      if belowMinimum(effects, analysis: analysis, higherIsBetter: higherIsBetter) {
        return (.stopForFutility, .effectBelowMinimum)
      }
      return (.inconclusive, .notSignificant)
    case .groupSequential, .alwaysValid:
      let why: Decision.Reason =
        if case .groupSequential = rule { .boundaryCrossed } else { .alwaysValidSignificant }
      let sequentialAction = sequential?.action
      let stops = sequentialAction?.rejects ?? false
      if sequential?.unplanned == true || !stops {
        // An unplanned look decides on the always-valid intervals alone; a planned look on its boundaries.
        if sequential?.unplanned == true && improves { return (.ship, .alwaysValidSignificant) }
        if sequential?.unplanned == true && harms { return (.doNotShip, .alwaysValidSignificant) }
        if sequentialAction == .finalDoNotReject { return (.stopForFutility, .finalLookNotSignificant) }
        if sequential?.unplanned == true { return (.inconclusive, .notSignificant) }
        return (.keepRunning, .noBoundaryCrossed)
      }
      // A comparison crossed: ship when one crossed (or is credible) in the good direction.
      let crossedGood =
        sequential?.rows.contains { $0.decision.action.rejects && ($0.decision.z > 0) == higherIsBetter } ?? false
      if improves || crossedGood { return (.ship, why) }
      return (.doNotShip, why)
    }
  }

  /// Every treatment's interval lies below the plan's minimum detectable effect (in the good direction).
  private static func belowMinimum(_ effects: [Decision.Effect], analysis: Analysis, higherIsBetter: Bool) -> Bool {
    guard let mde = analysis.plan.minimumDetectableEffect, mde > 0 else { return false }
    return effects.allSatisfy { higherIsBetter ? $0.upper < mde : $0.lower > -mde }
  }
}
