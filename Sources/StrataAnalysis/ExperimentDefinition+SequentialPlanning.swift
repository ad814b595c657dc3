import StrataDefinitions
import StrataStats

extension ExperimentDefinition {
  /// The group-sequential design of the plan for one treatment-vs-control comparison: the plan's looks,
  /// fractions, sides and spending at `alpha` (the plan's alpha Bonferroni-split over the variants − 1
  /// comparisons unless given).
  public func groupSequentialDesign(alpha: Double? = nil) throws(StatsError) -> GroupSequentialDesign {
    let perComparison = alpha ?? plan.alpha / Double(max(experiment.variants.count - 1, 1))
    return try GroupSequentialDesign(
      looks: plan.looks, fractions: plan.fractions, alpha: perComparison, alternative: plan.alternative,
      spending: plan.spending.spendingFunction)
  }

  /// The maximum units per variant of a plan with looks.
  ///
  /// ⌈unrounded fixed n × inflation⌉ (the inflation
  /// factor of `groupSequentialDesign()` at the plan's power, as `strata plan --looks`), or the fixed n
  /// for one look or an always-valid plan (which has no planned maximum of its own). Nil when the plan
  /// cannot tell (no mde, or no baseline / sd).
  public func plannedMaximumSampleSizePerVariant() throws(StatsError) -> Int? {
    guard let size = try plannedSampleSize() else { return nil }
    guard plan.looks > 1, plan.method == .groupSequential else { return size.perVariant }
    let inflation = try groupSequentialDesign().inflationFactor(power: plan.power)
    let maximum = (size.perVariantUnrounded * inflation).rounded(.up)
    try StatsError.require(maximum < 9e15, "plan", "the maximum sample size \(maximum) is too large to represent")
    return Int(maximum)
  }
}

extension StatisticalPlan {
  /// The plan's `sides` as the statistics' alternative: 1 is "treatment greater than control".
  public var alternative: Alternative { sides == 1 ? .greater : .twoSided }
}
