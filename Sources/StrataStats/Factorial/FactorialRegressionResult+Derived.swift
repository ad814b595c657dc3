/// Derived estimates: level differences and two-way marginal means (what an interaction plot draws).
extension FactorialRegressionResult {
  /// Each level of `factor` against its first level (the control): the difference of their estimated marginal means,
  /// treatment − control, with a two-sided t test and interval on the residual degrees of freedom (pointwise: not
  /// adjusted for several levels).
  ///
  /// For a two-level factor the difference is twice the main-effect coefficient of the second level. Matches
  /// statsmodels `fit.t_test(L_level − L_first)`.
  public func levelDifferences(factor: Int, confidenceLevel: Double = 0.95) throws(StatsError) -> [LevelDifference] {
    let factors = model.factors
    try StatsError.require(
      factors.indices.contains(factor), "factor", "must be among 0..<\(factors.count), got \(factor)")
    _ = try Alternative.validatedConfidenceLevel(confidenceLevel, field: "confidence level")
    let t = try StudentT(degreesOfFreedom: residualDegreesOfFreedom)
    let critical = try t.inverseSurvival((1 - confidenceLevel) / 2)
    let beta = coefficients.map(\.estimate)
    let control = model.marginalMeanRow(factor: factor, level: 0)
    return try (1..<factors[factor].levelCount).map { level throws(StatsError) in
      let row = zip(model.marginalMeanRow(factor: factor, level: level), control).map { $0 - $1 }
      let difference = dot(row, beta)
      let standardError = quadraticForm(row, coefficientCovariance).squareRoot()
      let statistic = difference / standardError
      return LevelDifference(
        factor: factor, level: level, difference: difference, standardError: standardError,
        test: TestResult(
          statistic: statistic, pValue: min(1, 2 * (try t.survival(abs(statistic)))), alternative: .twoSided),
        interval: ConfidenceInterval(
          lower: difference - critical * standardError, upper: difference + critical * standardError,
          confidenceLevel: confidenceLevel))
    }
  }

  /// The model's mean of every (level of `first`, level of `second`) pair, averaged with equal weight over the other
  /// factors' levels, with t intervals at `confidenceLevel` (pointwise, not simultaneous).
  ///
  /// Lines that are not parallel in a plot of these against `first`'s levels, one line per level of `second`, show the
  /// `first:second` interaction (when that term is in the model; otherwise the lines are parallel by construction).
  /// Matches statsmodels `fit.t_test(L)` with L the average of the design rows over the grid with both factors fixed.
  public func twoWayMeans(first: Int, second: Int, confidenceLevel: Double = 0.95) throws(StatsError)
    -> [[MarginalMean]]
  {
    let factors = model.factors
    try StatsError.require(
      first != second && factors.indices.contains(first) && factors.indices.contains(second), "factors",
      "need two different factors among 0..<\(factors.count), got \(first) and \(second)")
    _ = try Alternative.validatedConfidenceLevel(confidenceLevel, field: "confidence level")
    let t = try StudentT(degreesOfFreedom: residualDegreesOfFreedom)
    let critical = try t.inverseSurvival((1 - confidenceLevel) / 2)
    let beta = coefficients.map(\.estimate)
    return (0..<factors[first].levelCount).map { i in
      (0..<factors[second].levelCount).map { j in
        let row = model.marginalMeanRow(fixing: [first: i, second: j])
        let estimate = dot(row, beta)
        let standardError = quadraticForm(row, coefficientCovariance).squareRoot()
        return MarginalMean(
          factor: first, level: i, estimate: estimate, standardError: standardError,
          interval: ConfidenceInterval(
            lower: estimate - critical * standardError, upper: estimate + critical * standardError,
            confidenceLevel: confidenceLevel))
      }
    }
  }
}

/// A level's estimated marginal mean minus the first level's (treatment − control).
public struct LevelDifference: Sendable, Hashable {
  public var factor: Int
  public var level: Int
  public var difference: Double
  public var standardError: Double
  public var test: TestResult
  public var interval: ConfidenceInterval
}
