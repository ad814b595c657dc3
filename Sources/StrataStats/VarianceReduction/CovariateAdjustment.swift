/// CUPED: each arm's metric adjusted by the same quantity measured before the experiment, for means,
/// proportions and ratio metrics.
///
/// With Y the arm's metric (ȳ, or R = ȳ/d̄ for a ratio) and X its pre-period counterpart (x̄, or x̄/ē), both
/// linearized by the delta method (`DeltaMetric`; gradients g_Y and g_X over the arm's columns, S the arm's
/// sample covariance matrix):
/// ```
/// Ŷ_adj = Y − θ·(X − μ_X)                         μ_X = X over all arms' units together
/// Var(Ŷ_adj) = (g_YᵀSg_Y − 2θ·g_YᵀSg_X + θ²·g_XᵀSg_X) / n
/// θ = Σ_arms g_YᵀC g_X / Σ_arms g_XᵀC g_X          (C = (n − 1)·S per arm: `.pooledWithinArms`)
/// ```
/// For a plain mean θ is then Σ C_xy / Σ C_xx over the arms, the common within-arm slope of the ANCOVA
/// regression y ~ arm + x (statsmodels OLS reproduces it), and the adjusted difference of two arms is that
/// regression's arm coefficient. For a ratio metric it is the joint delta method over numerator, denominator
/// and their pre-period values ([Deng, Knoblich & Lu 2018], §4.2).
///
/// Why within arms: θ estimates how the outcome moves with the covariate, and pooling deviations from
/// each arm's own means keeps the treatment's effect on the outcome out of it; the combined sample's
/// covariance adds nₐn_b/n · Δȳ·Δx̄, a product of the effect and the chance pre-period imbalance. With k
/// arms one θ per segment serves every comparison, so the control's adjusted mean is the same in each.
/// `.combinedSample` (the covariance over the compared arms' units together, about the combined means) is
/// what tea-tasting 2.0 (`Mean(..., covariate=...)`, `RatioOfMeans(...)`) and gbstats 0.8.0
/// (`compute_theta`) use; both are consistent, they differ by O(1/n), and the fixtures check each against
/// its reference. θ is treated as known in the variance, as in [Deng et al. 2013]; a covariate with no
/// variance gives θ = 0 (no adjustment).
///
/// [Deng et al. 2013]: https://doi.org/10.1145/2433396.2433413
/// [Deng, Knoblich & Lu 2018]: https://doi.org/10.1145/3219819.3219919
///
/// > A. Deng, Y. Xu, R. Kohavi, T. Walker. "Improving the Sensitivity of Online Controlled Experiments by
/// > Utilizing Pre-Experiment Data." *WSDM 2013*, 123–132 (θ: §3.2, eq. 4).
/// > A. Deng, U. Knoblich, J. Lu. "Applying the Delta Method in Metric Analytics." *KDD 2018*, 233–242.
public struct CovariateAdjustment: Sendable, Hashable {
  /// How θ is estimated.
  public enum Coefficient: String, Sendable, Hashable, Codable {
    /// Co-moments about each arm's own means, summed over arms (Strata's default).
    case pooledWithinArms = "pooled-within-arms"
    /// The covariance over all given arms' units together (tea-tasting 2.0, gbstats 0.8.0).
    case combinedSample = "combined-sample"
  }

  /// One moment matrix per arm, control first: [y, x] for `.mean`, [y, d, x, e] for `.ratio`.
  public var arms: [MomentMatrix]
  public var metric: DeltaMetric
  public var coefficient: Coefficient

  /// Validates: at least one arm, each with twice the metric's value columns.
  public init(arms: [MomentMatrix], metric: DeltaMetric, coefficient: Coefficient = .pooledWithinArms)
    throws(StatsError)
  {
    try StatsError.require(!arms.isEmpty, "arms", "needs at least one arm")
    for (index, arm) in arms.enumerated() {
      try StatsError.require(
        arm.columnCount == 2 * metric.valueColumns, "arms[\(index)]",
        "a \(metric.rawValue) metric with a covariate needs \(2 * metric.valueColumns) columns, got \(arm.columnCount)")
    }
    self.arms = arms
    self.metric = metric
    self.coefficient = coefficient
  }

  /// θ, the covariate's centre and each arm's adjusted estimate.
  ///
  /// Columns of any magnitude, apart or together: each is rescaled by a power of two (`MomentMatrix.columnExponents`,
  /// the same for every arm; none within 2^±100, so ordinary data take the same path bit for bit) and the results
  /// scaled back exactly (the estimates by the metric's power, θ by the metric's less the covariate's, the centre by
  /// the covariate's); a result beyond the double range is refused, saying which unit to change.
  public func result() throws(StatsError) -> AdjustedArms {
    let exponents = MomentMatrix.columnExponents(arms)
    guard exponents.allSatisfy({ $0 == 0 }) else {
      var inner = self
      inner.arms = arms.map { $0.rescaled(by: exponents) }
      let result = try inner.unscaledResult()
      let valueDegree = metric.degree(exponents, offset: 0)
      let covariateDegree = metric.degree(exponents, offset: metric.valueColumns)
      let theta = PowerOfTwoScale.times(result.theta, powerOfTwo: valueDegree - covariateDegree)
      let centre = PowerOfTwoScale.times(result.covariateCentre, powerOfTwo: covariateDegree)
      for (value, name) in [(theta, "θ"), (centre, "the covariate's mean")] where !value.isFinite {
        throw StatsError.invalidInput(
          field: "covariate",
          message:
            "\(name) is above the largest double (1.8e308); give the covariate in a unit closer to the metric's")
      }
      return AdjustedArms(
        theta: theta, covariateCentre: centre, coefficient: coefficient,
        arms: try result.arms.map { (arm) throws(StatsError) in try arm.scaled(by: valueDegree, metric: metric) })
    }
    return try unscaledResult()
  }

  /// `result()` on the arms as they are.
  private func unscaledResult() throws(StatsError) -> AdjustedArms {
    let offset = metric.valueColumns
    var linearized: [(value: Double, g: [Double], covariate: Double, h: [Double])] = []
    for arm in arms {
      let (value, g) = try metric.linearization(arm, offset: 0)
      let (covariate, h) = try metric.linearization(arm, offset: offset)
      linearized.append((value, g, covariate, h))
    }
    var combined = arms[0]
    for arm in arms.dropFirst() { combined = combined.merged(with: arm) }
    let (_, combinedH) = try metric.linearization(combined, offset: offset)
    let centre = try metric.linearization(combined, offset: offset).value

    var cross = 0.0
    var covariateSquares = 0.0
    switch coefficient {
    case .pooledWithinArms:
      for (arm, l) in zip(arms, linearized) {
        cross += arm.comoment(l.g, l.h)
        covariateSquares += arm.comoment(l.h, l.h)
      }
    case .combinedSample:
      let (_, combinedG) = try metric.linearization(combined, offset: 0)
      cross = combined.comoment(combinedG, combinedH)
      covariateSquares = combined.comoment(combinedH, combinedH)
    }
    // A constant covariate carries no information: no adjustment, as both references do.
    let theta = covariateSquares > 0 ? cross / covariateSquares : 0
    guard theta.isFinite else {
      throw .numerical(routine: "CovariateAdjustment.result", status: 0, message: "θ is not finite")
    }

    var estimates: [ArmEstimate] = []
    for (arm, l) in zip(arms, linearized) {
      let n = arm.count
      let valueSquares = arm.comoment(l.g, l.g)
      let adjustedSquares = valueSquares - 2 * theta * arm.comoment(l.g, l.h) + theta * theta * arm.comoment(l.h, l.h)
      estimates.append(
        ArmEstimate(
          count: n, estimate: l.value - theta * (l.covariate - centre),
          variance: max(0, adjustedSquares) / (n - 1) / n, unadjustedEstimate: l.value,
          unadjustedVariance: max(0, valueSquares) / (n - 1) / n))
    }
    return AdjustedArms(theta: theta, covariateCentre: centre, coefficient: coefficient, arms: estimates)
  }
}

/// What `CovariateAdjustment` gives: θ, the covariate's centre and each arm's adjusted estimate.
public struct AdjustedArms: Sendable, Hashable, Codable {
  public var theta: Double
  /// μ_X: the covariate's value over all arms together.
  public var covariateCentre: Double
  public var coefficient: CovariateAdjustment.Coefficient
  /// Control first, in the order given.
  public var arms: [ArmEstimate]
}
