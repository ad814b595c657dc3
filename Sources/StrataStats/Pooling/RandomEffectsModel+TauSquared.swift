import Foundation

extension RandomEffectsModel {
  /// τ̂² by the model's method; 0 with a single segment (nothing to estimate it from, as metafor does).
  func estimateTauSquared() throws(StatsError) -> Double {
    guard estimates.count >= 2 else { return 0 }
    let moments = dersimonianLaird()
    switch method {
    case .dersimonianLaird: return moments
    case .restrictedMaximumLikelihood: return try restrictedMaximumLikelihood(start: moments)
    }
  }

  /// DerSimonian–Laird: τ̂² = max(0, (Q − (K − 1)) / (Σw − Σw²/Σw)) with fixed-effect weights w = 1/v.
  func dersimonianLaird() -> Double {
    let weights = variances.map { 1 / $0 }
    let weightSum = weights.reduce(0, +)
    let mean = zip(weights, estimates).reduce(0) { $0 + $1.0 * $1.1 } / weightSum
    let q = zip(weights, estimates).reduce(0) { $0 + $1.0 * ($1.1 - mean) * ($1.1 - mean) }
    let scale = weightSum - weights.reduce(0) { $0 + $1 * $1 } / weightSum
    return max(0, (q - Double(estimates.count - 1)) / scale)
  }

  /// REML: the τ² ≥ 0 where the restricted likelihood's score is zero, truncated at 0.
  ///
  /// ```
  /// score(τ²) = ½ [Σ wₖ² (yₖ − μ̂)² − Σ wₖ + Σ wₖ² / Σ wₖ],   wₖ = 1/(vₖ + τ²)
  /// ```
  /// (Viechtbauer 2005, eq. 11). Fisher scoring, metafor's method, can creep toward the optimum from both
  /// sides at a rate near 1 when the expected and observed information differ (seen here: 1,000 steps
  /// still 10% away), so the root is found by Brent's method on the score instead, bracketed by doubling.
  /// When the score at 0 is ≤ 0 the likelihood falls from the boundary and τ̂² = 0. Same optimum as
  /// metafor to 1e-13 relative on the fixtures; `start` (the DL estimate) only seeds the bracket.
  func restrictedMaximumLikelihood(start: Double) throws(StatsError) -> Double {
    try rootAboveZero(
      from: max(start * 2, variances.max() ?? 1), relativeTolerance: 1e-14,
      routine: "RandomEffectsModel.restrictedMaximumLikelihood",
      unbracketed: "the restricted likelihood keeps rising: the between-segment variance has no finite estimate"
    ) { restrictedScore($0).score }
  }

  /// The τ² ≥ 0 where the decreasing function `f` crosses 0, or 0 when f(0) ≤ 0 already.
  ///
  /// Brackets by doubling from `start` (up to 2,000 times), then Brent's method. Shared by the REML score
  /// and the Q-profile bounds, both of which fall as τ² grows, and Morris's Â (`morrisIntervals`).
  func rootAboveZero(
    from start: Double, relativeTolerance: Double, routine: StaticString, unbracketed: String,
    _ f: (Double) -> Double
  ) throws(StatsError) -> Double {
    guard f(0) > 0 else { return 0 }
    var upper = max(start, 1e-300)
    var doublings = 0
    while f(upper) > 0 {
      upper *= 2
      doublings += 1
      guard doublings < 2000 else { throw .numerical(routine: "\(routine)", status: 0, message: unbracketed) }
    }
    return try GSL.findRoot(
      lower: 0, upper: upper, absoluteTolerance: 0, relativeTolerance: relativeTolerance, maxIterations: 500, routine
    ) { f($0) }
  }

  private func restrictedScore(_ tauSquared: Double) -> (score: Double, information: Double) {
    var s1 = 0.0, s2 = 0.0, s3 = 0.0, weighted = 0.0
    let weights = variances.map { 1 / ($0 + tauSquared) }
    for (w, y) in zip(weights, estimates) {
      s1 += w
      s2 += w * w
      s3 += w * w * w
      weighted += w * y
    }
    let mean = weighted / s1
    let residual = zip(weights, estimates).reduce(0) { $0 + $1.0 * $1.0 * ($1.1 - mean) * ($1.1 - mean) }
    let traceP = s1 - s2 / s1
    let tracePSquared = s2 - 2 * s3 / s1 + s2 * s2 / (s1 * s1)
    return ((residual - traceP) / 2, tracePSquared / 2)
  }

  /// The generalised Q statistic at τ²: Σ wₖ (yₖ − μ̂(τ²))² with wₖ = 1/(vₖ + τ²); it falls as τ² grows.
  func generalizedQ(_ tauSquared: Double) -> Double {
    let weights = variances.map { 1 / ($0 + tauSquared) }
    let mean = zip(weights, estimates).reduce(0) { $0 + $1.0 * $1.1 } / weights.reduce(0, +)
    return zip(weights, estimates).reduce(0) { $0 + $1.0 * ($1.1 - mean) * ($1.1 - mean) }
  }

  /// The Q-profile interval for τ² (Viechtbauer 2007).
  ///
  /// The τ² where Q(τ²) equals the upper and lower (1 − level)/2 quantiles of χ²_{K−1}; an end is 0 when
  /// Q(0) is already below its quantile. `nil` with a single segment, where τ² has no interval.
  func tauSquaredInterval() throws(StatsError) -> ConfidenceInterval? {
    guard estimates.count >= 2 else { return nil }
    let chiSquared = try ChiSquared(degreesOfFreedom: Double(estimates.count - 1))
    let tail = (1 - confidenceLevel) / 2
    let lower = try solveGeneralizedQ(equal: try chiSquared.inverseSurvival(tail))
    let upper = try solveGeneralizedQ(equal: try chiSquared.quantile(tail))
    return ConfidenceInterval(lower: lower, upper: upper, confidenceLevel: confidenceLevel)
  }

  /// The τ² ≥ 0 with Q(τ²) = target, or 0 when Q(0) ≤ target (Q falls as τ² grows).
  private func solveGeneralizedQ(equal target: Double) throws(StatsError) -> Double {
    try rootAboveZero(
      from: variances.max() ?? 1, relativeTolerance: 1e-13, routine: "RandomEffectsModel.tauSquaredInterval",
      unbracketed: "could not bracket the Q-profile bound"
    ) { generalizedQ($0) - target }
  }
}
