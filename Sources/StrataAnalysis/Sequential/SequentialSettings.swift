import StrataAssignment
import StrataDefinitions
import StrataDesign
import StrataStats

/// What the sequential guard needs from the experiment's plan: how looks are guarded, the spending, the
/// planned fractions, τ, and the planned maximum units per variant (per segment).
public struct SequentialSettings: Sendable, Hashable {
  public var method: StatisticalPlan.SequentialMethod
  public var spending: SpendingFunction
  /// Planned information fractions (nil: k/K).
  public var fractions: [Double]?
  /// τ of the always-valid mixing prior on the primary metric's difference (nil: the absolute MDE).
  public var tau: Double?
  /// Units per variant in each segment at the last look (the plan's `n_per_variant`, else the inflated
  /// maximum); nil when the plan cannot tell.
  public var maximumUnitsPerVariant: Int?

  public init(
    method: StatisticalPlan.SequentialMethod = .groupSequential, spending: SpendingFunction = .obrienFleming,
    fractions: [Double]? = nil, tau: Double? = nil, maximumUnitsPerVariant: Int? = nil
  ) {
    self.method = method
    self.spending = spending
    self.fractions = fractions
    self.tau = tau
    self.maximumUnitsPerVariant = maximumUnitsPerVariant
  }

  /// From an experiment definition.
  public init(definition: ExperimentDefinition) {
    let plan = definition.plan
    self.init(
      method: plan.method, spending: plan.spending.spendingFunction, fractions: plan.fractions, tau: plan.tau,
      maximumUnitsPerVariant: plan.sampleSizePerVariant ?? (try? definition.plannedMaximumSampleSizePerVariant()) ?? nil
    )
  }
}
