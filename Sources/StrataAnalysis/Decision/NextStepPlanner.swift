import Foundation
import StrataStats

/// The numbers behind "what next": how many more units per arm until the next planned look (or the
/// planned size), how many days that takes at the plan's `daily_units`, and the smallest effect the data so
/// far detect.
///
/// - Target per arm and segment: the next planned look's fraction × the planned maximum per variant
///   (sequential plans), else the plan's units per variant (fixed horizon).
/// - More units per arm: the largest shortfall of any segment's smallest arm.
/// - Days: each segment fills at its observed share of all units, so a segment s short by m_s units per arm
///   needs m_s · V / (share_s · daily_units) days (V variants); the answer is the slowest segment, rounded up.
/// - Achieved minimum effect: (z_{1−α/(2K)} + z_{power}) × the chosen effect's standard error (one-sided:
///   z_{1−α/K}), the effect the current data detect with the plan's power at the fixed-horizon α split
///   over K treatments.
struct NextStepPlanner {
  let analysis: Analysis
  let metric: MetricAnalysis

  func nextStep(effect: Decision.Effect?, treatments: Int) -> Decision.NextStep {
    let plan = analysis.plan
    var step = Decision.NextStep()
    step.dailyUnits = plan.dailyUnits
    step.plannedMinimumEffect = plan.minimumDetectableEffect
    if let effect, treatments > 0 {
      step.achievedMinimumEffect = try? SampleSizePlan.minimumDetectableEffect(
        standardError: effect.standardError, alpha: plan.alpha / Double(treatments), alternative: plan.alternative,
        power: plan.power)
    }
    let target: Double?
    if let sequential = analysis.look.sequential, !sequential.unplanned,
      let maximum = plan.sequential.maximumUnitsPerVariant,
      sequential.look < plan.looks
    {
      let fractions = plan.sequential.fractions ?? (1...plan.looks).map { Double($0) / Double(plan.looks) }
      step.nextLook = sequential.look + 1
      target = fractions.indices.contains(sequential.look) ? fractions[sequential.look] * Double(maximum) : nil
    } else if analysis.look.sequential == nil, let planned = metric.plannedUnitsPerVariant {
      target = Double(planned)
    } else {
      target = nil
    }
    guard let target else { return step }
    let statistics = analysis.data.statistics
    let total = Double(max(analysis.data.units, 1))
    var shortfall = 0.0
    var days = 0.0
    for segment in plan.segments.indices {
      let arms = plan.variants.indices.map { Double(statistics.units(variant: $0, segment: segment)) }
      let missing = target - (arms.min() ?? 0)
      guard missing > 0 else { continue }
      shortfall = max(shortfall, missing)
      let share = arms.reduce(0, +) / total
      if let daily = plan.dailyUnits, share > 0 {
        days = max(days, missing * Double(plan.variants.count) / (share * Double(daily)))
      }
    }
    step.moreUnitsPerArm = Int(shortfall.rounded(.up))
    if plan.dailyUnits != nil, shortfall > 0, days.isFinite { step.days = Int(days.rounded(.up)) }
    return step
  }
}
