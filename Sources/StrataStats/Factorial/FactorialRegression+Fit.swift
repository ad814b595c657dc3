import Foundation
import StrataDesign

/// The computation behind `FactorialRegression.result()`.
extension FactorialRegression {
  /// Fits the model and computes tests, the ANOVA table, marginal means and cell estimates.
  public func result() throws(StatsError) -> FactorialRegressionResult {
    let estimable = data.design.estimableTerms(maximumOrder: maximumInteractionOrder)
    let model = self.model
    let cells = data.orderedCells
    let p = model.parameterCount
    let unitCount = data.unitCount
    try StatsError.require(
      cells.count >= p, "data",
      "has \(cells.count) cells with units, but the model has \(p) parameters; every run of the design needs data")
    let residualDF = unitCount - Double(p)
    try StatsError.require(
      residualDF >= 1, "data",
      "has \(Int(unitCount)) units for \(p) parameters: no residual degrees of freedom (a saturated model needs more than one unit in some cell)"
    )

    let rows = cells.map { model.row(levels: $0.levels) }
    let fit = try GSL.weightedLeastSquares(
      rows: rows, response: cells.map(\.moments.mean), weights: cells.map(\.moments.count))
    try StatsError.require(
      fit.rank == p, "data",
      "does not identify every term: the cells with units give rank \(fit.rank) for \(p) parameters")
    let beta = fit.coefficients
    let bread = fit.unscaledCovariance

    let fitted = rows.map { dot($0, beta) }
    let cellResidualSquares = cells.indices.map { c in
      let gap = cells[c].moments.mean - fitted[c]
      return cells[c].moments.m2 + cells[c].moments.count * gap * gap
    }
    let residualSumOfSquares = cellResidualSquares.reduce(0, +)
    let grandMean = cells.reduce(0) { $0 + $1.moments.count * $1.moments.mean } / unitCount
    let totalSumOfSquares = cells.reduce(0) { sum, cell in
      let gap = cell.moments.mean - grandMean
      return sum + cell.moments.m2 + cell.moments.count * gap * gap
    }
    // Residuals that are pure rounding (≈1e-16 relative per unit, so RSS ≈ 1e-32 of Σy²) mean an exact fit;
    // 1e-24 of the uncentered sum of squares separates that from any real residual variation.
    let uncentered = totalSumOfSquares + unitCount * grandMean * grandMean
    try StatsError.require(
      residualSumOfSquares > 1e-24 * uncentered, "data",
      "has no residual variation (every unit equals its fitted value); standard errors would be zero")
    let variance = try coefficientCovariance(
      rows: rows, bread: bread, cellResidualSquares: cellResidualSquares, unitCount: unitCount,
      residualSumOfSquares: residualSumOfSquares, residualDF: residualDF)

    let t = try StudentT(degreesOfFreedom: residualDF)
    let critical = try t.inverseSurvival((1 - confidenceLevel) / 2)
    let labels = model.columnLabels
    var termOfColumn = [EffectWord](repeating: .identity, count: p)
    for (term, range) in zip(model.terms, model.columnRanges) { for column in range { termOfColumn[column] = term } }
    var coefficients: [RegressionCoefficient] = []
    for j in 0..<p {
      let standardError = variance[j][j].squareRoot()
      let statistic = beta[j] / standardError
      let pValue = min(1, 2 * (try t.survival(abs(statistic))))
      coefficients.append(
        RegressionCoefficient(
          label: labels[j], term: termOfColumn[j], estimate: beta[j], standardError: standardError,
          test: TestResult(statistic: statistic, pValue: pValue, alternative: .twoSided),
          interval: ConfidenceInterval(
            lower: beta[j] - critical * standardError, upper: beta[j] + critical * standardError,
            confidenceLevel: confidenceLevel)))
    }

    let anova = try anovaTable(
      model: model, beta: beta, variance: variance, meanSquareError: residualSumOfSquares / residualDF,
      residualDF: residualDF)

    var marginalMeans: [[MarginalMean]] = []
    for (factorIndex, factor) in model.factors.enumerated() {
      var means: [MarginalMean] = []
      for level in 0..<factor.levelCount {
        let row = model.marginalMeanRow(factor: factorIndex, level: level)
        let estimate = dot(row, beta)
        let standardError = quadraticForm(row, variance).squareRoot()
        means.append(
          MarginalMean(
            factor: factorIndex, level: level, estimate: estimate, standardError: standardError,
            interval: ConfidenceInterval(
              lower: estimate - critical * standardError, upper: estimate + critical * standardError,
              confidenceLevel: confidenceLevel)))
      }
      marginalMeans.append(means)
    }

    // Šidák: each of the m cell intervals at level γ = c^(1/m), so all hold together with probability ≥ c
    // (Šidák 1967 holds for any correlation between the t statistics). 1 − γ = −expm1(ln c / m) avoids
    // cancellation for many cells.
    let perCellMiss = -expm1(log(confidenceLevel) / Double(cells.count))
    let simultaneousCritical = try t.inverseSurvival(perCellMiss / 2)
    var cellEstimates: [CellEstimate] = []
    for (c, cell) in cells.enumerated() {
      let standardError = quadraticForm(rows[c], variance).squareRoot()
      cellEstimates.append(
        CellEstimate(
          levels: cell.levels, count: cell.moments.count, observedMean: cell.moments.mean, fitted: fitted[c],
          standardError: standardError,
          simultaneousInterval: ConfidenceInterval(
            lower: fitted[c] - simultaneousCritical * standardError,
            upper: fitted[c] + simultaneousCritical * standardError, confidenceLevel: confidenceLevel)))
    }
    let bestCellIndex = cellEstimates.indices.max { cellEstimates[$0].fitted < cellEstimates[$1].fitted } ?? 0

    let terms = estimable.terms.map {
      EstimatedTerm(term: $0.term, name: model.name(of: $0.term), aliasedWith: $0.aliasedWith)
    }
    return FactorialRegressionResult(
      model: model, covariance: covariance, anovaType: anovaType, unitCount: unitCount,
      residualDegreesOfFreedom: residualDF,
      residualSumOfSquares: residualSumOfSquares, rSquared: 1 - residualSumOfSquares / totalSumOfSquares,
      terms: terms, aliasedTerms: estimable.dropped, coefficients: coefficients, anova: anova,
      marginalMeans: marginalMeans, cells: cellEstimates, bestCellIndex: bestCellIndex,
      perCellConfidenceLevel: 1 - perCellMiss, coefficientCovariance: variance)
  }

  /// Classical σ̂²(XᵀX)⁻¹ or a sandwich (XᵀX)⁻¹ [Σ_c ω_c x_c x_cᵀ] (XᵀX)⁻¹ with per-cell weights from
  /// the cell's summed squared residuals (see `CovarianceEstimator`).
  private func coefficientCovariance(
    rows: [[Double]], bread: [[Double]], cellResidualSquares: [Double], unitCount: Double,
    residualSumOfSquares: Double, residualDF: Double
  ) throws(StatsError) -> [[Double]] {
    let p = bread.count
    if covariance == .classical {
      let scale = residualSumOfSquares / residualDF
      return bread.map { $0.map { $0 * scale } }
    }
    var meat = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
    for (c, row) in rows.enumerated() {
      let leverage = quadraticForm(row, bread)
      var weight = cellResidualSquares[c]
      switch covariance {
      case .hc2, .hc3:
        // A unit with leverage 1 (alone in its cell in a saturated model) makes HC2/HC3 undefined.
        try StatsError.require(
          leverage < 1 - 1e-10, "covariance",
          "\(covariance.rawValue) is undefined: a cell has a single unit in a saturated model (leverage 1); use hc1")
        weight /= covariance == .hc2 ? (1 - leverage) : (1 - leverage) * (1 - leverage)
      case .hc1:
        weight *= unitCount / residualDF
      case .hc0, .classical:
        break
      }
      for i in 0..<p where row[i] != 0 {
        for j in 0..<p where row[j] != 0 { meat[i][j] += weight * row[i] * row[j] }
      }
    }
    return multiply(multiply(bread, meat), bread)
  }
}

func dot(_ a: [Double], _ b: [Double]) -> Double {
  var sum = 0.0
  for i in a.indices { sum += a[i] * b[i] }
  return sum
}

/// xᵀ M x.
func quadraticForm(_ x: [Double], _ matrix: [[Double]]) -> Double {
  var sum = 0.0
  for i in x.indices where x[i] != 0 { sum += x[i] * dot(matrix[i], x) }
  return sum
}

func multiply(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
  let n = a.count
  let m = b.first?.count ?? 0
  var result = [[Double]](repeating: [Double](repeating: 0, count: m), count: n)
  for i in 0..<n {
    for k in a[i].indices where a[i][k] != 0 {
      let aik = a[i][k]
      for j in 0..<m { result[i][j] += aik * b[k][j] }
    }
  }
  return result
}
