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
/// errors are consistent or conservative). The fit is GSL's `gsl_multifit_wlinear_tsvd` with unit weights
/// (SVD, so a rank deficiency, e.g. a covariate that is constant or a copy of another, is detected and
/// refused). Tests and intervals are normal, as statsmodels' `OLS(...).fit(cov_type="HC2"/"HC3")`, which
/// the fixtures match.
///
/// Unlike CUPED this needs unit rows, not cell statistics: the sandwich weighs each unit by its own residual
/// and leverage. The analysis feeds it only the rows of one segment of a unit-level file that declares more
/// than one covariate (memory O(units in the segment × columns)).
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
    for (arm, count) in perArm.enumerated() {
      try StatsError.require(
        count >= p + 2, "arms", "arm \(arm) has \(count) units; \(p) covariate(s) need at least \(p + 2) per arm")
    }
    self.arms = arms
    self.outcomes = outcomes
    self.covariates = covariates
    self.armCount = armCount
    self.robustCovariance = robustCovariance
    self.alternative = alternative
    self.confidenceLevel = try Alternative.validatedConfidenceLevel(confidenceLevel)
  }

  public func result() throws(StatsError) -> InteractedRegressionResult {
    let n = outcomes.count
    let p = covariates[0].count
    var centre = [Double](repeating: 0, count: p)
    for row in covariates { for l in 0..<p { centre[l] += row[l] } }
    for l in 0..<p { centre[l] /= Double(n) }
    let design = (0..<n).map { i in row(arm: arms[i], centred: (0..<p).map { covariates[i][$0] - centre[$0] }) }
    let q = design[0].count
    // Fit y − y₀: a shift moves only the intercept, and an outcome of 10⁹ with a spread of 1 otherwise
    // leaves the effects only ~10⁻⁷ (its rounding) of accuracy; y − y₀ is exact for values within a
    // factor 2 of y₀ (Sterbenz).
    let shift = outcomes[0]
    let shifted = outcomes.map { $0 - shift }
    let fit = try GSL.weightedLeastSquares(rows: design, response: shifted, weights: [Double](repeating: 1, count: n))
    try StatsError.require(
      fit.rank == q, "covariates",
      "are collinear (rank \(fit.rank) of \(q) columns): drop a constant covariate or one that copies another")
    let bread = fit.unscaledCovariance
    var meat = [[Double]](repeating: [Double](repeating: 0, count: q), count: q)
    for i in 0..<n {
      let x = design[i]
      var fitted = 0.0
      for j in 0..<q { fitted += x[j] * fit.coefficients[j] }
      let residual = shifted[i] - fitted
      let leverage = quadratic(bread, x, x)
      guard leverage < 1 - 1e-12 else {
        throw .numerical(
          routine: "InteractedRegression.result", status: 0,
          message: "unit \(i) has leverage 1, so its \(robustCovariance.rawValue) weight is undefined")
      }
      let weight =
        residual * residual / (robustCovariance == .hc2 ? 1 - leverage : (1 - leverage) * (1 - leverage))
      for a in 0..<q where x[a] != 0 { for b in 0..<q { meat[a][b] += weight * x[a] * x[b] } }
    }
    let critical = try alternative.criticalValue(
      confidenceLevel: confidenceLevel, upperQuantile: Normal.inverseSurvival)
    var effects: [RegressionEffect] = []
    for arm in 1..<armCount {
      let column = arm
      // (B M B)[c][c] = Σ_ab B[c][a]·M[a][b]·B[b][c].
      let variance = quadratic(meat, bread[column], bread[column])
      guard variance > 0, variance.isFinite else {
        throw .numerical(routine: "InteractedRegression.result", status: 0, message: "non-positive robust variance")
      }
      let estimate = fit.coefficients[column]
      let standardError = variance.squareRoot()
      let z = estimate / standardError
      effects.append(
        RegressionEffect(
          arm: arm, estimate: estimate, standardError: standardError,
          test: TestResult(statistic: z, pValue: try alternative.normalPValue(z), alternative: alternative),
          interval: alternative.interval(
            estimate: estimate, standardError: standardError, critical: critical, confidenceLevel: confidenceLevel)))
    }
    // Each arm's adjusted mean at x̄: α (control) or α + τⱼ, with Var = cᵀ(BMB)c = (Bc)ᵀM(Bc). The fully
    // interacted fit is one OLS per arm, so the arms' means are uncorrelated and Var(τⱼ) = Vⱼ + V₀.
    var armMeans: [Double] = []
    var armVariances: [Double] = []
    for arm in 0..<armCount {
      var contrast = [Double](repeating: 0, count: q)
      contrast[0] = 1
      if arm > 0 { contrast[arm] = 1 }
      let weights = (0..<q).map { a in (0..<q).reduce(0.0) { $0 + bread[a][$1] * contrast[$1] } }
      let variance = quadratic(meat, weights, weights)
      guard variance > 0, variance.isFinite else {
        throw .numerical(
          routine: "InteractedRegression.result", status: 0, message: "non-positive robust variance of arm \(arm)")
      }
      armMeans.append(shift + fit.coefficients[0] + (arm > 0 ? fit.coefficients[arm] : 0))
      armVariances.append(variance)
    }
    var coefficients = fit.coefficients
    coefficients[0] += shift
    return InteractedRegressionResult(
      coefficients: coefficients, covariateMeans: centre, effects: effects,
      robustCovariance: robustCovariance, armMeans: armMeans, armVariances: armVariances)
  }

  /// [1, D₁ … D_{k−1}, x − x̄, D₁(x − x̄) … D_{k−1}(x − x̄)].
  private func row(arm: Int, centred: [Double]) -> [Double] {
    var row = [1.0]
    for j in 1..<armCount { row.append(arm == j ? 1 : 0) }
    row.append(contentsOf: centred)
    for j in 1..<armCount { for value in centred { row.append(arm == j ? value : 0) } }
    return row
  }

  /// uᵀAv.
  private func quadratic(_ a: [[Double]], _ u: [Double], _ v: [Double]) -> Double {
    var total = 0.0
    for i in u.indices where u[i] != 0 {
      var inner = 0.0
      for j in v.indices { inner += a[i][j] * v[j] }
      total += u[i] * inner
    }
    return total
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
