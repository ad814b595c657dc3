/// Lin's (2013) regression adjustment for several pre-period covariates: OLS of the outcome on the arm
/// indicators, the covariates centred at their overall means, and every arm × covariate interaction, with
/// heteroskedasticity-consistent (HC2 or HC3) standard errors.
///
/// ```
/// yᵢ = α + Σⱼ τⱼ·Dᵢⱼ + βᵀ(xᵢ − x̄) + Σⱼ γⱼᵀ·Dᵢⱼ·(xᵢ − x̄) + εᵢ       j = 1 … k − 1 (arm 0 is control)
/// V = (XᵀX)⁻¹ · Σᵢ xᵢxᵢᵀ·eᵢ²/(1 − hᵢ)^m · (XᵀX)⁻¹       m = 1 (HC2), 2 (HC3); hᵢ = xᵢᵀ(XᵀX)⁻¹xᵢ
/// ```
/// Because the covariates are centred, τⱼ is the effect of arm j versus control averaged over all units
/// ([Lin 2013], §2 and Theorem 1: never less precise asymptotically than the unadjusted difference, and HC
/// errors are consistent or conservative). The fully interacted design is block-diagonal by arm, so the fit is
/// one OLS per arm, computed in two passes over the rows (`InteractedRegressionFit`: each arm's moments, then
/// each unit's residual and leverage), with no design matrix; a covariate that is constant or a copy of another
/// within an arm is refused. Tests and intervals are normal, as statsmodels'
/// `OLS(...).fit(cov_type="HC2"/"HC3")`, which the fixtures match.
///
/// Unlike CUPED this needs unit rows, not cell statistics: the sandwich weighs each unit by its own residual
/// and leverage, so the second pass must see every unit again. This type holds the rows it is given
/// (one segment's, or all units); `InteractedRegressionFit` takes the passes from any source.
///
/// [Lin 2013]: https://doi.org/10.1214/12-AOAS583
///
/// > W. Lin. "Agnostic notes on regression adjustments to experimental data: Reexamining Freedman's
/// > critique." *Annals of Applied Statistics* 7 (2013), 295–318.
/// > J. G. MacKinnon, H. White. "Some heteroskedasticity-consistent covariance matrix estimators with
/// > improved finite sample properties." *J. Econometrics* 29 (1985), 305–325 (HC2, HC3).
public struct InteractedRegression: Sendable, Hashable {
  public enum RobustCovariance: String, Sendable, Hashable, Codable {
    case hc2 = "HC2"
    case hc3 = "HC3"
  }

  /// Arm of each unit: 0 is control, 1 … armCount − 1 treatments.
  public var arms: [Int]
  public var outcomes: [Double]
  /// One row of p covariates per unit.
  public var covariates: [[Double]]
  public var armCount: Int
  public var robustCovariance: RobustCovariance
  public var alternative: Alternative
  public var confidenceLevel: Double

  /// Validates shapes, finiteness, at least 2 arms with p + 2 units each.
  public init(
    arms: [Int], outcomes: [Double], covariates: [[Double]], armCount: Int = 2,
    robustCovariance: RobustCovariance = .hc2, alternative: Alternative = .twoSided, confidenceLevel: Double = 0.95
  ) throws(StatsError) {
    try StatsError.require(armCount >= 2, "armCount", "must be at least 2, got \(armCount)")
    try StatsError.require(
      arms.count == outcomes.count && covariates.count == outcomes.count, "rows",
      "arms (\(arms.count)), outcomes (\(outcomes.count)) and covariates (\(covariates.count)) must be as many")
    let p = covariates.first?.count ?? 0
    try StatsError.require(p >= 1, "covariates", "needs at least one covariate column")
    var perArm = [Int](repeating: 0, count: armCount)
    for index in outcomes.indices {
      try StatsError.require(
        arms[index] >= 0 && arms[index] < armCount, "arms[\(index)]",
        "must be from 0 to \(armCount - 1), got \(arms[index])")
      try StatsError.require(outcomes[index].isFinite, "outcomes[\(index)]", "must be finite")
      try StatsError.require(
        covariates[index].count == p && covariates[index].allSatisfy(\.isFinite), "covariates[\(index)]",
        "must hold \(p) finite values")
      perArm[arms[index]] += 1
    }
    try InteractedRegressionFit.requireUnits(perArm.map(Double.init), covariates: p)
    self.arms = arms
    self.outcomes = outcomes
    self.covariates = covariates
    self.armCount = armCount
    self.robustCovariance = robustCovariance
    self.alternative = alternative
    self.confidenceLevel = try Alternative.validatedConfidenceLevel(confidenceLevel)
  }

  /// The fit in two passes over the rows (`InteractedRegressionFit`): each arm's moments, then each unit's leverage
  /// and residual; memory O(arms × p²) beside the rows, no design matrix.
  public func result() throws(StatsError) -> InteractedRegressionResult {
    let p = covariates[0].count
    // Fit y − y₀: a shift moves only the intercept, and an outcome of 10⁹ with a spread of 1 otherwise
    // leaves the effects only ~10⁻⁷ (its rounding) of accuracy; y − y₀ is exact for values within a
    // factor 2 of y₀ (Sterbenz).
    let shift = outcomes[0]
    var running = [RunningMomentMatrix](repeating: RunningMomentMatrix(columns: p + 1), count: armCount)
    var row = [Double](repeating: 0, count: p + 1)
    for i in outcomes.indices {
      for l in 0..<p { row[l] = covariates[i][l] }
      row[p] = outcomes[i] - shift
      running[arms[i]].add(row)
    }
    var moments: [MomentMatrix] = []
    for arm in running { moments.append(try arm.moments()) }
    let fit = try InteractedRegressionFit(
      arms: moments, outcomeShift: shift, robustCovariance: robustCovariance, alternative: alternative,
      confidenceLevel: confidenceLevel)
    var sums = [Double](repeating: 0, count: armCount)
    for i in outcomes.indices {
      sums[arms[i]] += try fit.varianceTerm(arm: arms[i], outcome: outcomes[i] - shift, covariates: covariates[i])
    }
    return try fit.result(varianceSums: sums)
  }
}

/// One treatment arm's effect versus control from `InteractedRegression`.
public struct RegressionEffect: Sendable, Hashable, Codable {
  public var arm: Int
  public var estimate: Double
  public var standardError: Double
  public var test: TestResult
  public var interval: ConfidenceInterval
}

/// What `InteractedRegression` reports.
public struct InteractedRegressionResult: Sendable, Hashable, Codable {
  /// All coefficients in design order: intercept, arm indicators, centred covariates, interactions.
  public var coefficients: [Double]
  /// x̄ per covariate (the centring).
  public var covariateMeans: [Double]
  /// One per treatment arm.
  public var effects: [RegressionEffect]
  public var robustCovariance: InteractedRegression.RobustCovariance
  /// Per arm (0 = control): the adjusted mean at x̄, α or α + τⱼ.
  public var armMeans: [Double] = []
  /// Per arm: the robust variance of `armMeans`; the arms are uncorrelated, so Var(τⱼ) = Vⱼ + V₀.
  public var armVariances: [Double] = []
}
