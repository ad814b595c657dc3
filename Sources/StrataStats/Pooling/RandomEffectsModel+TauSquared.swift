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

  /// REML by Fisher scoring, truncated at 0, with step halving.
  ///
  /// Viechtbauer (2005), equations 11–12:
  ///
  /// ```
  /// score(τ²) = ½ [Σ wₖ² (yₖ − μ̂)² − tr P],   tr P = Σ wₖ − Σ wₖ² / Σ wₖ
  /// I(τ²)     = ½ tr P²,                       tr P² = Σ wₖ² − 2 Σ wₖ³ / Σ wₖ + (Σ wₖ²)² / (Σ wₖ)²
  /// τ²ₙ₊₁     = max(0, τ²ₙ + score / I)
  /// ```
  /// Stops when a step changes τ² by less than 1e-13 relative, or when no step raises the likelihood any
  /// more: far inside the 1e-8 the fixtures ask. metafor's own default threshold is 1e-5, so its fixtures
  /// are generated with 1e-14.
  func restrictedMaximumLikelihood(start: Double) throws(StatsError) -> Double {
    var tauSquared = start
    var logLikelihood = restrictedLogLikelihood(tauSquared)
    for _ in 0..<1000 {
      let (score, information) = restrictedScore(tauSquared)
      guard information > 0, score.isFinite else { break }
      var step = score / information
      var next = max(0, tauSquared + step)
      var nextLogLikelihood = restrictedLogLikelihood(next)
      // Fisher scoring can overshoot far from the optimum: halve the step until the likelihood does not fall.
      var halvings = 0
      while nextLogLikelihood < logLikelihood - 1e-15 * abs(logLikelihood) && halvings < 60 {
        step /= 2
        next = max(0, tauSquared + step)
        nextLogLikelihood = restrictedLogLikelihood(next)
        halvings += 1
      }
      // No step, however small, raises the likelihood: τ² is at the optimum to machine precision.
      if halvings == 60 { return tauSquared }
      let change = abs(next - tauSquared)
      tauSquared = next
      logLikelihood = nextLogLikelihood
      if change <= 1e-13 * max(tauSquared, 1e-300) { return tauSquared }
    }
    throw .numerical(
      routine: "RandomEffectsModel.restrictedMaximumLikelihood", status: 0,
      message: "the between-segment variance did not converge in 1000 Fisher-scoring steps")
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

  /// The restricted log-likelihood up to a constant: −½ [Σ log(vₖ + τ²) + log Σ wₖ + Σ wₖ (yₖ − μ̂)²].
  private func restrictedLogLikelihood(_ tauSquared: Double) -> Double {
    var logDeterminant = 0.0, weightSum = 0.0, weighted = 0.0
    for (v, y) in zip(variances, estimates) {
      logDeterminant += log(v + tauSquared)
      weightSum += 1 / (v + tauSquared)
      weighted += y / (v + tauSquared)
    }
    let mean = weighted / weightSum
    let residual = zip(variances, estimates).reduce(0) { $0 + ($1.1 - mean) * ($1.1 - mean) / ($1.0 + tauSquared) }
    return -(logDeterminant + log(weightSum) + residual) / 2
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

  /// The τ² ≥ 0 with Q(τ²) = target, or 0 when Q(0) ≤ target.
  private func solveGeneralizedQ(equal target: Double) throws(StatsError) -> Double {
    guard generalizedQ(0) > target else { return 0 }
    // Bracket: Q(τ²) → 0 as τ² → ∞, so doubling from the largest variance finds a sign change.
    var upper = max(variances.max() ?? 1, 1e-300)
    var steps = 0
    while generalizedQ(upper) > target {
      upper *= 2
      steps += 1
      guard steps < 2000 else {
        throw .numerical(
          routine: "RandomEffectsModel.tauSquaredInterval", status: 0,
          message: "could not bracket the Q-profile bound")
      }
    }
    return try GSL.findRoot(
      lower: 0, upper: upper, absoluteTolerance: 0, relativeTolerance: 1e-13, maxIterations: 500
    ) { generalizedQ($0) - target }
  }
}
