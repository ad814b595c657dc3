/// Two-way estimated marginal means: what an interaction plot draws.
extension FactorialRegressionResult {
  /// The model's mean of every (level of `first`, level of `second`) pair, averaged with equal weight over
  /// the other factors' levels, with t intervals at `confidenceLevel` (pointwise, not simultaneous).
  /// Lines that are not parallel in a plot of these against `first`'s levels, one line per level of
  /// `second`, show the `first:second` interaction (when that term is in the model; otherwise the lines
  /// are parallel by construction). Matches statsmodels `fit.t_test(L)` with L the average of the design
  /// rows over the grid with both factors fixed.
  public func twoWayMeans(first: Int, second: Int, confidenceLevel: Double = 0.95) throws(StatsError) -> [[MarginalMean]] {
    let factors = model.factors
    try StatsError.require(
      first != second && factors.indices.contains(first) && factors.indices.contains(second), "factors",
      "need two different factors among 0..<\(factors.count), got \(first) and \(second)")
    try StatsError.require(
      confidenceLevel > 0 && confidenceLevel < 1, "confidence level", "must be strictly between 0 and 1, got \(confidenceLevel)")
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
