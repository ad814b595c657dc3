import Foundation

extension RandomEffectsModel {
  /// τ̂² by the model's method; 0 with a single segment (nothing to estimate it from, as metafor does).
  func estimateTauSquared() throws(StatsError) -> Double {
    guard estimates.count >= 2 else { return 0 }
    let moments = dersimonianLaird()
    switch method {
    case .dersimonianLaird: return moments
    case .restrictedMaximumLikelihood: return try restrictedMaximumLikelihood(moments: moments)
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

  /// REML as metafor 3.8's `rma(method = "REML")` computes it: the local maximum of the restricted likelihood
  /// that Fisher scoring reaches from the Hedges estimate, set to 0 when the likelihood at τ² = 0 is higher
  /// by more than 2⁻¹³ (metafor's `ll0check`).
  ///
  /// ```
  /// score(τ²) = ½ [Σ wₖ² (yₖ − μ̂)² − Σ wₖ + Σ wₖ² / Σ wₖ],   wₖ = 1/(vₖ + τ²)
  /// start τ₀² = max(0, Σ (yₖ − ȳ)² / (K − 1) − Σ vₖ / K)          (Hedges, metafor's default tau2.init)
  /// step = score / information, halved while τ² + step < 0
  /// ```
  /// (Viechtbauer 2005, eq. 11). With unequal variances the likelihood can have a local maximum at 0 and
  /// another above it, or two above 0 (docs/analyze.md, "The REML second peak"); which one metafor returns
  /// depends on its start, so Strata takes the same path (`metaforPath`). Strata's rule until 2026-12-06
  /// (`bracketedRoot`: 0 when the score at 0 is ≤ 0, else the root Brent's method finds between 0 and a
  /// doubling bracket from the DerSimonian–Laird `moments`) is still computed: when both arrive at the same
  /// stationary point, which is every fit whose likelihood has one peak, its value is returned, so those
  /// fits keep their last bits (outputs byte-identical to before the change); only where the two paths
  /// reach different points is metafor's returned. Should Fisher scoring fail to converge (no such case
  /// known) or take a step that is not finite (a segment's variance near 1e157), the bracketed root stands.
  func restrictedMaximumLikelihood(moments: Double) throws(StatsError) -> Double {
    let bracketed = try bracketedRoot(moments: moments)
    let metafors: Double
    do { metafors = try metaforPath() } catch { return bracketed }
    return sameStationaryPoint(bracketed, metafors) ? bracketed : metafors
  }

  /// Strata's REML until 2026-12-06, kept to the bit: the root of the score that Brent's method finds between 0
  /// and a bracket doubled from max(2 × DL, largest variance), or 0 when the score at 0 is ≤ 0.
  private func bracketedRoot(moments: Double) throws(StatsError) -> Double {
    try rootAboveZero(
      from: max(moments * 2, variances.max() ?? 1), relativeTolerance: 1e-14,
      routine: "RandomEffectsModel.restrictedMaximumLikelihood",
      unbracketed: "the restricted likelihood keeps rising: the between-segment variance has no finite estimate"
    ) { restrictedScore($0).score }
  }

  /// Whether two τ̂² from the two paths are the same stationary point.
  ///
  /// They are when they differ by at most 1e-9 of the larger, or of the smallest variance (which makes 0 and the
  /// ~1e-15 Fisher scoring can leave at the boundary one point). Both are roots of the score polished by Brent's method to 1e-14 relative: on 618,000 simulated
  /// campaigns (2–30 segments, τ 0–0.02, standard errors 0.005–0.03) the two differed by less than 1e-12 of
  /// that scale where they reached the same point and by more than 0.1 of it in the 768 where they did not.
  private func sameStationaryPoint(_ a: Double, _ b: Double) -> Bool {
    abs(a - b) <= 1e-9 * max(a, b, variances.min() ?? 0)
  }

  /// metafor's path to a maximum of the restricted likelihood.
  ///
  /// Fisher scoring from the Hedges start, step halving, located maximum finished by Brent's
  /// method (once its step is below 1e-6 of τ², or two iterates bracket a root with the step shrinking: it
  /// can creep at a rate near 1), then `ll0check`. Same estimate as metafor to 7.5e-11 relative on the
  /// fixtures where it converged, 2.2e-9 where its absolute threshold stops it short (mpmath agrees with this
  /// one); where the answer is 0 it can leave ~1e-15.
  private func metaforPath() throws(StatsError) -> Double {
    let count = Double(estimates.count)
    let average = estimates.reduce(0, +) / count
    let spread = estimates.reduce(0) { $0 + ($1 - average) * ($1 - average) } / (count - 1)
    let scoreAtZero = restrictedScore(0).score
    let negligible = 1e-10 * (variances.min() ?? 1)
    var tauSquared = max(0, spread - variances.reduce(0, +) / count)
    var previous: (tauSquared: Double, score: Double, step: Double)? = nil
    for _ in 0..<10_000 {
      let (score, information) = restrictedScore(tauSquared)
      if score == 0 { return checkedAgainstZero(tauSquared) }
      if tauSquared == 0 && score < 0 { return 0 }
      var step = score / information
      // With a segment's variance near 1e157 (one value of 1e75-1e80 among hundreds in a CSV) the weights' squares
      // underflow, the information is 0 and the step infinite: halving −∞ never ends (`strata analyze` hung). A
      // step that is not finite gives up on this path, and the bracketed root stands, as when Fisher scoring does
      // not converge.
      guard step.isFinite else {
        throw .numerical(
          routine: "RandomEffectsModel.restrictedMaximumLikelihood", status: 0,
          message: "Fisher scoring's step is not finite (information \(information))")
      }
      while tauSquared + step < 0 { step /= 2 }
      if let previous, (previous.score > 0) != (score > 0), abs(step) < previous.step {
        // Two iterates on either side of a root, the steps shrinking: Fisher scoring converges inside.
        let root = try polishRestrictedScore(
          between: min(tauSquared, previous.tauSquared), and: max(tauSquared, previous.tauSquared))
        return checkedAgainstZero(root)
      }
      let next = tauSquared + step
      // Halving towards the boundary with the score negative all the way: metafor converges to 0.
      if score < 0 && scoreAtZero <= 0 && next <= negligible { return 0 }
      if abs(step) <= 1e-6 * tauSquared {
        return checkedAgainstZero(try walkToRestrictedRoot(from: tauSquared, rising: score > 0, width: abs(step)))
      }
      previous = (tauSquared, score, abs(step))
      tauSquared = next
    }
    throw .numerical(
      routine: "RandomEffectsModel.restrictedMaximumLikelihood", status: 0,
      message: "Fisher scoring did not converge in 10,000 steps")
  }

  /// From a Fisher iterate whose step has become small, steps of doubling width in the score's direction
  /// until the score changes sign, then Brent's method between the last two points (0 when the walk down
  /// reaches the boundary first).
  private func walkToRestrictedRoot(from start: Double, rising: Bool, width: Double) throws(StatsError) -> Double {
    var near = start
    var width = width
    for _ in 0..<2000 {
      let far = max(0, rising ? near + width : near - width)
      let score = restrictedScore(far).score
      if score == 0 { return far }
      if (score > 0) != rising { return try polishRestrictedScore(between: min(near, far), and: max(near, far)) }
      if far == 0 { return 0 }
      near = far
      width *= 2
    }
    throw .numerical(
      routine: "RandomEffectsModel.restrictedMaximumLikelihood", status: 0,
      message: "the restricted likelihood keeps rising: the between-segment variance has no finite estimate")
  }

  private func polishRestrictedScore(between lower: Double, and upper: Double) throws(StatsError) -> Double {
    try GSL.findRoot(
      lower: lower, upper: upper, absoluteTolerance: 0, relativeTolerance: 1e-14, maxIterations: 500,
      "RandomEffectsModel.restrictedMaximumLikelihood"
    ) { restrictedScore($0).score }
  }

  /// metafor's `ll0check`: a positive τ̂² whose restricted log-likelihood is more than 2⁻¹³ (its tolerance,
  /// `.Machine$double.eps^0.25`) below the one at τ² = 0 becomes 0.
  private func checkedAgainstZero(_ tauSquared: Double) -> Double {
    guard tauSquared > 0 else { return 0 }
    return restrictedLogLikelihood(0) - restrictedLogLikelihood(tauSquared) > 0x1p-13 ? 0 : tauSquared
  }

  /// The restricted log-likelihood up to a constant: −½ [Σ log(vₖ + τ²) + log Σ wₖ + Σ wₖ (yₖ − μ̂)²].
  func restrictedLogLikelihood(_ tauSquared: Double) -> Double {
    let weights = variances.map { 1 / ($0 + tauSquared) }
    let weightSum = weights.reduce(0, +)
    let logVariances = variances.reduce(0) { $0 + log($1 + tauSquared) }
    return -0.5 * (logVariances + log(weightSum) + generalizedQ(tauSquared))
  }

  /// The τ² ≥ 0 where the decreasing function `f` crosses 0, or 0 when f(0) ≤ 0 already.
  ///
  /// Brackets by doubling from `start` (up to 2,000 times), then Brent's method. Shared by the Q-profile
  /// bounds, which fall as τ² grows, and Morris's Â (`morrisIntervals`).
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

  /// The restricted likelihood's score and Fisher information at τ².
  ///
  /// Called 30–40 times a fit (Brent's method, Fisher scoring, the bracket), each over every segment: the weights
  /// are not kept in an array but computed again in the second pass (the same division, so the same bits as the
  /// array held), with the sums in the same order as before; at 20,000 segments an array of 160 KB was made and
  /// freed per call.
  func restrictedScore(_ tauSquared: Double) -> (score: Double, information: Double) {
    var s1 = 0.0, s2 = 0.0, s3 = 0.0, weighted = 0.0
    var residual = 0.0
    variances.withUnsafeBufferPointer { variances in
      estimates.withUnsafeBufferPointer { estimates in
        // The counts are equal (checked in `init`); the shorter bounds both, as `zip` did.
        let count = min(variances.count, estimates.count)
        for index in 0..<count {
          let w = 1 / (variances[index] + tauSquared)
          let y = estimates[index]
          s1 += w
          s2 += w * w
          s3 += w * w * w
          weighted += w * y
        }
        let mean = weighted / s1
        for index in 0..<count {
          let w = 1 / (variances[index] + tauSquared)
          let y = estimates[index]
          residual = residual + w * w * (y - mean) * (y - mean)
        }
      }
    }
    let traceP = s1 - s2 / s1
    let tracePSquared = s2 - 2 * s3 / s1 + s2 * s2 / (s1 * s1)
    return ((residual - traceP) / 2, tracePSquared / 2)
  }

  /// The generalised Q statistic at τ²: Σ wₖ (yₖ − μ̂(τ²))² with wₖ = 1/(vₖ + τ²); it falls as τ² grows.
  ///
  /// Without an array of weights, as `restrictedScore`: the same operations in the same order, so the same bits.
  func generalizedQ(_ tauSquared: Double) -> Double {
    var weightSum = 0.0, weighted = 0.0, q = 0.0
    variances.withUnsafeBufferPointer { variances in
      estimates.withUnsafeBufferPointer { estimates in
        // The counts are equal (checked in `init`); the shorter bounds both.
        let count = min(variances.count, estimates.count)
        for index in 0..<count {
          let w = 1 / (variances[index] + tauSquared)
          weighted = weighted + w * estimates[index]
          weightSum = weightSum + w
        }
        let mean = weighted / weightSum
        for index in 0..<count {
          let w = 1 / (variances[index] + tauSquared)
          let y = estimates[index]
          q = q + w * (y - mean) * (y - mean)
        }
      }
    }
    return q
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
