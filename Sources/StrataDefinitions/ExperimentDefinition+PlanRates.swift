import StrataAssignment

extension ExperimentDefinition {
  /// For a 0/1 primary metric (or none, which plans as one), the plan's baseline is a rate: it must lie
  /// below 1, and so must the rate the mde aims for (baseline + mde, or baseline × (1 + mde) when
  /// relative); otherwise no sample size exists and the plan only looks valid.
  static func checkRates(_ plan: StatisticalPlan, metrics: [Metric]) throws(DefinitionError) {
    let primary = metrics.first { $0.role == .primary } ?? metrics.first
    guard primary?.kind ?? .binomial == .binomial, let baseline = plan.baseline else { return }
    guard baseline < 1 else {
      throw DefinitionError(
        field: "plan.baseline",
        message: "the baseline of the 0/1 primary metric is a rate and must be below 1, got \(baseline)")
    }
    guard let mde = plan.minimumDetectableEffect else { return }
    let target = plan.relative ? baseline * (1 + mde) : baseline + mde
    guard target < 1 else {
      throw DefinitionError(
        field: "plan.mde",
        message:
          "baseline \(baseline) with \(plan.relative ? "relative " : "")mde \(mde) aims at a rate of \(target), "
          + "but a rate must be below 1")
    }
  }
}
