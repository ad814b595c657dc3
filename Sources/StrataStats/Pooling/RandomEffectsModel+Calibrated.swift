import Foundation

extension RandomEffectsModel {
  /// The most segments for which `calibratedIntervals` is computed (its cost grows with K² per segment).
  public static let calibratedIntervalSegmentLimit = 50

  /// Segment intervals that account for the uncertainty in τ: the hierarchical-Bayes posterior of each
  /// segment's true effect with flat priors on μ and on τ ≥ 0.
  ///
  /// ```
  /// p(τ | y) ∝ L_R(τ²)                       (the restricted likelihood: μ integrated out under a flat prior)
  /// P(θₖ ≤ x | y) = ∫ p(τ | y) Φ((x − θ̃ₖ(τ)) / sₖ(τ)) dτ
  /// θ̃ₖ(τ) = λₖ yₖ + (1 − λₖ) μ̂(τ),  sₖ(τ)² = λₖ vₖ + (1 − λₖ)² / Σ wⱼ(τ),  λₖ = τ² / (τ² + vₖ)
  /// ```
  /// The interval is the (1 − level)/2 and (1 + level)/2 quantiles of that normal mixture. The BLUP interval
  /// plugs in τ̂² as if it were known, and undercovers when τ̂² is often 0 or small (see `PoolingSimulation`);
  /// averaging over τ restores the coverage (Gelman 2006 recommends the flat prior on τ; Morris 1983 gives
  /// the same correction to first order). L_R decays like τ^−(K−1), so the posterior is proper only from
  /// three segments on: nil for fewer, and for more than `calibratedIntervalSegmentLimit`. Quadrature by
  /// QUADPACK's QAGIU to 1e-10 relative, quantiles by Brent's method to 1e-12.
  ///
  /// > A. Gelman. "Prior distributions for variance parameters in hierarchical models." *Bayesian Analysis* 1
  /// > (2006). C. N. Morris. "Parametric empirical Bayes inference: theory and applications." *JASA* 78 (1983).
  func calibratedIntervals(tauSquared: Double) throws(StatsError) -> [ConfidenceInterval]? {
    let count = estimates.count
    guard count >= 3, count <= Self.calibratedIntervalSegmentLimit else { return nil }
    let estimates = self.estimates
    let variances = self.variances
    // log L_R(τ²) up to a constant, shifted by its maximum (at the REML τ̂²) so exp() stays in range.
    func logLikelihood(_ tau: Double) -> Double {
      var logDeterminant = 0.0, weightSum = 0.0, weighted = 0.0
      for (v, y) in zip(variances, estimates) {
        logDeterminant += log(v + tau * tau)
        weightSum += 1 / (v + tau * tau)
        weighted += y / (v + tau * tau)
      }
      let mean = weighted / weightSum
      var residual = 0.0
      for (v, y) in zip(variances, estimates) { residual += (y - mean) * (y - mean) / (v + tau * tau) }
      return -(logDeterminant + log(weightSum) + residual) / 2
    }
    let peak = logLikelihood(tauSquared.squareRoot())
    let scale = max(tauSquared.squareRoot(), (variances.min() ?? 1).squareRoot())
    func posterior(_ tau: Double) -> Double { exp(logLikelihood(tau) - peak) }
    let normalizer = try Integration.toInfinity(
      from: 0, absoluteTolerance: 0, relativeTolerance: 1e-10, acceptableRelativeError: 1e-8
    ) { posterior($0) }
    guard normalizer > 0, normalizer.isFinite else {
      throw .numerical(
        routine: "RandomEffectsModel.calibratedIntervals", status: 0,
        message: "the posterior of the between-segment spread could not be normalised")
    }
    func distribution(_ x: Double, segment k: Int) throws(StatsError) -> Double {
      let mass = try Integration.toInfinity(
        from: 0, absoluteTolerance: 0, relativeTolerance: 1e-10, acceptableRelativeError: 1e-8
      ) { tau in
        let tauSquared = tau * tau
        var weightSum = 0.0, weighted = 0.0
        for (v, y) in zip(variances, estimates) {
          weightSum += 1 / (v + tauSquared)
          weighted += y / (v + tauSquared)
        }
        let reliability = tauSquared / (tauSquared + variances[k])
        let center = reliability * estimates[k] + (1 - reliability) * weighted / weightSum
        let spread = (reliability * variances[k] + (1 - reliability) * (1 - reliability) / weightSum).squareRoot()
        return posterior(tau) * 0.5 * erfc(-(x - center) / (spread * 2.0.squareRoot()))
      }
      return mass / normalizer
    }
    let tail = (1 - confidenceLevel) / 2
    let widest = (variances.max() ?? 1).squareRoot()
    var intervals: [ConfidenceInterval] = []
    for k in 0..<count {
      var lower = (estimates.min() ?? 0) - 12 * widest
      var upper = (estimates.max() ?? 0) + 12 * widest
      var widenings = 0
      while true {
        let below = try distribution(lower, segment: k)
        let above = try distribution(upper, segment: k)
        if below <= tail / 2 && above >= 1 - tail / 2 { break }
        lower -= 12 * widest
        upper += 12 * widest
        widenings += 1
        guard widenings < 50 else {
          throw .numerical(
            routine: "RandomEffectsModel.calibratedIntervals", status: 0,
            message: "could not bracket the interval of segment \(k + 1)")
        }
      }
      let low = try GSL.findRoot(lower: lower, upper: upper, absoluteTolerance: 1e-12 * scale, relativeTolerance: 1e-12)
      {
        (x: Double) throws(StatsError) -> Double in try distribution(x, segment: k) - tail
      }
      let high = try GSL.findRoot(
        lower: lower, upper: upper, absoluteTolerance: 1e-12 * scale, relativeTolerance: 1e-12
      ) {
        (x: Double) throws(StatsError) -> Double in try distribution(x, segment: k) - (1 - tail)
      }
      intervals.append(ConfidenceInterval(lower: low, upper: high, confidenceLevel: confidenceLevel))
    }
    return intervals
  }
}
