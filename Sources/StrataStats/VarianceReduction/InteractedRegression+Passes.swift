/// Lin's fully interacted regression in two passes over the units, with memory O(arms × p²) instead of the units.
///
/// The design [1, D₁ … D_{k−1}, x − x̄, D₁(x − x̄) … D_{k−1}(x − x̄)] spans, for the units of arm a, exactly the
/// columns [1, x − x̄]: the fit is one OLS per arm (a reparametrisation changes neither the fitted values, the
/// residuals, the leverages nor the sandwich of a linear function of the coefficients). Per arm, centred at its own
/// means (Z = [1, x − x̄ₐ], so ZᵀZ = diag(nₐ, Cₓₓ) with Cₓₓ the covariates' co-moment matrix):
/// ```
/// βₐ = Cₓₓ⁻¹·Cₓᵧ          mₐ = ȳₐ + βₐᵀ(c − x̄ₐ)          (the arm's adjusted mean at c, the covariates' overall mean)
/// eᵢ = yᵢ − ȳₐ − βₐᵀ(xᵢ − x̄ₐ)      hᵢ = 1/nₐ + (xᵢ − x̄ₐ)ᵀCₓₓ⁻¹(xᵢ − x̄ₐ)
/// Var(mₐ) = Σᵢ (gₐᵀzᵢ)²·eᵢ²/(1 − hᵢ)^m,   gₐᵀzᵢ = 1/nₐ + (xᵢ − x̄ₐ)ᵀCₓₓ⁻¹(c − x̄ₐ),   m = 1 (HC2), 2 (HC3)
/// ```
/// So pass 1 needs each arm's count, means and co-moments of [x₁ … x_p, y] (a `MomentMatrix`, mergeable across
/// chunks and segments), and pass 2, given this fit, one sum per arm of ``varianceTerm(arm:outcome:covariates:)``.
/// The arms' adjusted means are uncorrelated (each unit is in one arm), so Var(τⱼ) = Var(mⱼ) + Var(m₀), as the
/// full design's sandwich gives (MacKinnon & White 1985; Lin 2013).
///
/// Outcomes should be given less a common shift (`outcomeShift`, e.g. the first outcome seen): an outcome of 10⁹
/// with a spread of 1 otherwise leaves the arms' means, and so the effects, only the rounding of 10⁹ (~10⁻⁷).
public struct InteractedRegressionFit: Sendable, Hashable {
  public let robustCovariance: InteractedRegression.RobustCovariance
  public let alternative: Alternative
  public let confidenceLevel: Double
  /// What was subtracted from every outcome; added back to the arms' means.
  public let outcomeShift: Double
  /// c: the covariates' mean over all units (Σ nₐx̄ₐ / N), where each arm's mean is evaluated.
  public let centre: [Double]
  /// Per arm: nₐ, ȳₐ (shifted), x̄ₐ, βₐ, Cₓₓ⁻¹ and Cₓₓ⁻¹(c − x̄ₐ).
  /// (Package-visible so a query can compute pass 2 in the database: `StrataWarehouse.RegressionQuery`.)
  package let counts: [Double]
  package let outcomeMeans: [Double]
  package let covariateMeans: [[Double]]
  package let slopes: [[Double]]
  package let inverses: [[[Double]]]
  package let gradients: [[Double]]

  /// Pass 1 done: `arms[a]` holds the moments of [x₁ … x_p, y − outcomeShift] over arm a's units (0 = control).
  ///
  /// Refuses fewer than 2 arms, an arm with fewer than p + 2 units, and covariates that are constant or
  /// (numerically) linear combinations of each other within an arm (1/(1 − R²) of one on the others above 10¹⁰),
  /// where the fit has no unique solution.
  public init(
    arms: [MomentMatrix], outcomeShift: Double = 0, robustCovariance: InteractedRegression.RobustCovariance = .hc2,
    alternative: Alternative = .twoSided, confidenceLevel: Double = 0.95
  ) throws(StatsError) {
    try StatsError.require(arms.count >= 2, "armCount", "must be at least 2, got \(arms.count)")
    let p = arms[0].columnCount - 1
    try StatsError.require(p >= 1, "covariates", "needs at least one covariate column")
    for (arm, moments) in arms.enumerated() {
      try StatsError.require(
        moments.columnCount == p + 1, "arms[\(arm)]", "has \(moments.columnCount) columns, expected \(p + 1)")
    }
    try Self.requireUnits(arms.map(\.count), covariates: p)
    try StatsError.require(outcomeShift.isFinite, "outcomeShift", "must be finite")
    self.robustCovariance = robustCovariance
    self.alternative = alternative
    self.confidenceLevel = try Alternative.validatedConfidenceLevel(confidenceLevel)
    self.outcomeShift = outcomeShift
    let total = arms.reduce(0) { $0 + $1.count }
    var centre = [Double](repeating: 0, count: p)
    for moments in arms { for l in 0..<p { centre[l] += moments.count * moments.means[l] } }
    for l in 0..<p { centre[l] /= total }
    self.centre = centre
    counts = arms.map(\.count)
    outcomeMeans = arms.map { $0.means[p] }
    covariateMeans = arms.map { Array($0.means[0..<p]) }
    var slopes: [[Double]] = []
    var inverses: [[[Double]]] = []
    var gradients: [[Double]] = []
    for (arm, moments) in arms.enumerated() {
      let inverse = try Self.covariateInverse(moments, p: p, arm: arm)
      var slope = [Double](repeating: 0, count: p)
      var gradient = [Double](repeating: 0, count: p)
      for i in 0..<p {
        for j in 0..<p {
          slope[i] += inverse[i][j] * moments.comoments[j][p]
          gradient[i] += inverse[i][j] * (centre[j] - moments.means[j])
        }
      }
      slopes.append(slope)
      inverses.append(inverse)
      gradients.append(gradient)
    }
    self.slopes = slopes
    self.inverses = inverses
    self.gradients = gradients
  }

  /// Refuses an arm with fewer than p + 2 units (`counts[a]`, arm a's, 0 = control), where the fit has no residual
  /// degree of freedom left, with the one sentence every path gives: the unit rows (`InteractedRegression`), the arms'
  /// moments (``init(arms:outcomeShift:robustCovariance:alternative:confidenceLevel:)``) and cells (StrataAnalysis's
  /// `RegressionFits`, which calls it before it builds the arms' moment matrices, as those need 2 units and would
  /// refuse fewer with another sentence).
  public static func requireUnits(_ counts: [Double], covariates p: Int) throws(StatsError) {
    for (arm, count) in counts.enumerated() {
      try StatsError.require(
        count >= Double(p + 2), "arms",
        "arm \(arm) has \(Int(count)) units; \(p) covariate(s) need at least \(p + 2) per arm")
    }
  }

  /// Cₓₓ⁻¹ of one arm, through its correlation matrix (GSL Cholesky), or the collinearity error.
  private static func covariateInverse(_ moments: MomentMatrix, p: Int, arm: Int) throws(StatsError) -> [[Double]] {
    let collinear = StatsError.invalidInput(
      field: "covariates",
      message:
        "are collinear (within arm \(arm) a covariate is constant or a linear combination of the others): drop a constant covariate or one that copies another"
    )
    let scale = (0..<p).map { moments.comoments[$0][$0].squareRoot() }
    guard scale.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw collinear }
    var correlation = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
    for i in 0..<p { for j in 0..<p { correlation[i][j] = moments.comoments[i][j] / (scale[i] * scale[j]) } }
    let inverse: [[Double]]
    do {
      inverse = try GSL.positiveDefiniteInverse(correlation)
    } catch {
      throw collinear
    }
    // (R⁻¹)ₗₗ = 1/(1 − R²ₗ), R²ₗ of covariate l on the others.
    guard (0..<p).allSatisfy({ inverse[$0][$0].isFinite && inverse[$0][$0] < 1e10 }) else { throw collinear }
    var covariateInverse = inverse
    for i in 0..<p { for j in 0..<p { covariateInverse[i][j] = inverse[i][j] / (scale[i] * scale[j]) } }
    return covariateInverse
  }

  /// Leverages from this value on are treated as 1 (the unit's HC weight is undefined).
  package static let leverageLimit = 1 - 1e-12

  /// Pass 2: one unit's term of its arm's robust variance, (gₐᵀzᵢ)²·eᵢ²/(1 − hᵢ)^m; `outcome` less `outcomeShift`.
  public func varianceTerm(arm: Int, outcome: Double, covariates: [Double]) throws(StatsError) -> Double {
    let p = centre.count
    let inverse = inverses[arm], mean = covariateMeans[arm], slope = slopes[arm], gradient = gradients[arm]
    let n = counts[arm]
    var residual = outcome - outcomeMeans[arm]
    var leverage = 1 / n
    var weight = 1 / n
    for i in 0..<p {
      let di = covariates[i] - mean[i]
      residual -= slope[i] * di
      weight += di * gradient[i]
      var inner = 0.0
      for j in 0..<p { inner += inverse[i][j] * (covariates[j] - mean[j]) }
      leverage += di * inner
    }
    guard leverage < Self.leverageLimit else { throw leverageOne(arm: arm) }
    let squared = residual * residual / (robustCovariance == .hc2 ? 1 - leverage : (1 - leverage) * (1 - leverage))
    return weight * weight * squared
  }

  /// The error of a unit of `arm` with leverage 1 (HC2 and HC3 divide by 1 − h).
  ///
  /// The same from the unit rows and from pass 2's sums summed elsewhere (a SQL engine or a second read of a CSV
  /// file), which mark such an arm's sum NaN.
  func leverageOne(arm: Int) -> StatsError {
    .numerical(
      routine: "InteractedRegression.result", status: 0,
      message: "a unit of arm \(arm) has leverage 1, so its \(robustCovariance.rawValue) weight is undefined")
  }

  /// The result from pass 2's sums per arm (Σ ``varianceTerm(arm:outcome:covariates:)`` over each arm's units; NaN: a
  /// unit of that arm has leverage 1).
  public func result(varianceSums: [Double]) throws(StatsError) -> InteractedRegressionResult {
    let armCount = counts.count, p = centre.count
    precondition(varianceSums.count == armCount, "one variance sum per arm")
    // Each arm's adjusted mean at c, shifted: ȳₐ + βₐᵀ(c − x̄ₐ).
    var shiftedMeans: [Double] = []
    for arm in 0..<armCount {
      var mean = outcomeMeans[arm]
      for l in 0..<p { mean += slopes[arm][l] * (centre[l] - covariateMeans[arm][l]) }
      shiftedMeans.append(mean)
    }
    for (arm, variance) in varianceSums.enumerated() {
      guard !variance.isNaN else { throw leverageOne(arm: arm) }
      guard variance > 0, variance.isFinite else {
        throw .numerical(
          routine: "InteractedRegression.result", status: 0, message: "non-positive robust variance of arm \(arm)")
      }
    }
    let critical = try alternative.criticalValue(
      confidenceLevel: confidenceLevel, upperQuantile: Normal.inverseSurvival)
    var effects: [RegressionEffect] = []
    for arm in 1..<armCount {
      let estimate = shiftedMeans[arm] - shiftedMeans[0]
      let standardError = (varianceSums[arm] + varianceSums[0]).squareRoot()
      let z = estimate / standardError
      effects.append(
        RegressionEffect(
          arm: arm, estimate: estimate, standardError: standardError,
          test: TestResult(statistic: z, pValue: try alternative.normalPValue(z), alternative: alternative),
          interval: alternative.interval(
            estimate: estimate, standardError: standardError, critical: critical, confidenceLevel: confidenceLevel)))
    }
    // In the full design's order: intercept, arm indicators, covariate slopes (control's), interactions.
    var coefficients = [outcomeShift + shiftedMeans[0]]
    coefficients += (1..<armCount).map { shiftedMeans[$0] - shiftedMeans[0] }
    coefficients += slopes[0]
    for arm in 1..<armCount { coefficients += (0..<p).map { slopes[arm][$0] - slopes[0][$0] } }
    return InteractedRegressionResult(
      coefficients: coefficients, covariateMeans: centre, effects: effects, robustCovariance: robustCovariance,
      armMeans: shiftedMeans.map { outcomeShift + $0 }, armVariances: varianceSums)
  }
}

/// Pass 1's accumulator: the count, means and co-moments of rows of k values, one row at a time (the multivariate
/// Welford update about the first row; `MomentMatrix(rows:)` is built with it), without keeping the rows.
public struct RunningMomentMatrix: Sendable, Hashable {
  public private(set) var count: Double = 0
  private var shift: [Double]
  private var shiftedMeans: [Double]
  /// Row-major k × k.
  private var comoments: [Double]
  private var delta: [Double]

  public init(columns: Int) {
    precondition(columns >= 1, "at least one column")
    shift = [Double](repeating: 0, count: columns)
    shiftedMeans = shift
    delta = shift
    comoments = [Double](repeating: 0, count: columns * columns)
  }

  /// Adds one row of `columns` finite values.
  public mutating func add(_ row: [Double]) {
    let k = shift.count
    precondition(row.count == k, "a row of \(k) values")
    if count == 0 { shift = row }
    count += 1
    for i in 0..<k {
      delta[i] = (row[i] - shift[i]) - shiftedMeans[i]
      shiftedMeans[i] += delta[i] / count
    }
    for i in 0..<k {
      let after = (row[i] - shift[i]) - shiftedMeans[i]
      for j in 0..<k { comoments[j * k + i] += delta[j] * after }
    }
  }

  /// The moments so far (symmetrised); an error below 2 rows.
  public func moments() throws(StatsError) -> MomentMatrix {
    let k = shift.count
    var matrix = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
    for i in 0..<k {
      for j in 0..<k { matrix[i][j] = (comoments[i * k + j] + comoments[j * k + i]) / 2 }
    }
    return try MomentMatrix(count: count, means: (0..<k).map { shift[$0] + shiftedMeans[$0] }, comoments: matrix)
  }
}
