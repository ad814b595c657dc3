import Foundation

/// The two Poisson-mixture series behind `NoncentralT` for t ≥ 0 (see its documentation for the
/// formulas, the stopping rule and the accuracy).
struct NoncentralTSeries {
  /// t²/(ν + t²) and ν/(ν + t²), each computed without subtraction.
  let x: Double
  let y: Double
  let halfDegreesOfFreedom: Double
  let noncentrality: Double
  /// λ = δ²/2 and ln λ.
  let lambda: Double
  let logLambda: Double
  /// Each direction stops once the bound on the rest is below this fraction of the sum so far.
  static let relativeTolerance = 1e-17
  /// A guard against a runaway loop; the bounds shrink faster than geometrically past the mode, so even
  /// δ = 1000 (λ = 5e5, spread √λ ≈ 700) stops after a few thousand terms.
  static let maximumTerms = 200_000

  init(t: Double, degreesOfFreedom: Double, noncentrality: Double) {
    precondition(t >= 0 && t.isFinite && degreesOfFreedom > 0 && noncentrality != 0)
    if t >= 1 {
      // ν/t² instead of t², which overflows for t > 1e154.
      let ratio = degreesOfFreedom / t / t
      x = 1 / (1 + ratio)
      y = ratio / (1 + ratio)
    } else {
      x = t * t / (degreesOfFreedom + t * t)
      y = degreesOfFreedom / (degreesOfFreedom + t * t)
    }
    halfDegreesOfFreedom = degreesOfFreedom / 2
    self.noncentrality = noncentrality
    lambda = noncentrality * noncentrality / 2
    logLambda = log(lambda)
  }

  /// (P(T ≤ t), P(T > t)), each summed on its own.
  func tails() throws(StatsError) -> (lower: Double, upper: Double) {
    if x == 0 {
      // t = 0: T ≤ 0 exactly when Z + δ ≤ 0.
      return (try Normal.cdf(-noncentrality), try Normal.survival(-noncentrality))
    }
    let lower = try Normal.cdf(-noncentrality) + 0.5 * (try sum(lowerTail: true))
    let upper = 0.5 * (try sum(lowerTail: false))
    return (min(1, max(0, lower)), min(1, max(0, upper)))
  }

  /// p_j and q_j (q_j without the sign of δ), from logs so that e^(−λ) cannot underflow on its own.
  private func weights(_ j: Int) throws(StatsError) -> (p: Double, q: Double) {
    let k = Double(j)
    let logP = -lambda + k * logLambda - (try SpecialFunctions.logGamma(k + 1))
    let logQ = -lambda + (k + 0.5) * logLambda - (try SpecialFunctions.logGamma(k + 1.5))
    return (exp(logP), exp(logQ))
  }

  /// The incomplete-beta factors of term j: I_x(j + ½, ν/2), I_x(j + 1, ν/2) for the lower tail,
  /// I_y(ν/2, j + ½), I_y(ν/2, j + 1) for the upper tail.
  private func betaFactors(_ j: Int, lowerTail: Bool) throws(StatsError) -> (half: Double, whole: Double) {
    let k = Double(j)
    if lowerTail {
      return (
        try SpecialFunctions.regularizedBeta(x, k + 0.5, halfDegreesOfFreedom),
        try SpecialFunctions.regularizedBeta(x, k + 1, halfDegreesOfFreedom)
      )
    }
    return (
      try SpecialFunctions.regularizedBeta(y, halfDegreesOfFreedom, k + 0.5),
      try SpecialFunctions.regularizedBeta(y, halfDegreesOfFreedom, k + 1)
    )
  }

  /// Σ_j [p_j B_j + sign(δ) q_j B'_j] for one tail, walking up from the mode and then down from it.
  private func sum(lowerTail: Bool) throws(StatsError) -> Double {
    let sign: Double = noncentrality > 0 ? 1 : -1
    let mode = Int(min(lambda, Double(Int32.max)).rounded(.down))
    var total = 0.0
    // Upward: j = mode, mode + 1, …
    var j = mode
    while true {
      let w = try weights(j)
      let b = try betaFactors(j, lowerTail: lowerTail)
      total += w.p * b.half + sign * w.q * b.whole
      // Σ_{k>j} p_k = P(j+1, λ), Σ_{k>j} q_k = P(j+3/2, λ); the beta factors are at most b (lower tail,
      // falling in j) or 1 (upper tail, rising in j).
      let rest =
        (try SpecialFunctions.regularizedGammaLower(Double(j) + 1, lambda)) * (lowerTail ? b.half : 1)
        + (try SpecialFunctions.regularizedGammaLower(Double(j) + 1.5, lambda)) * (lowerTail ? b.whole : 1)
      if rest <= Self.relativeTolerance * abs(total) || rest < Double.leastNormalMagnitude { break }
      j += 1
      guard j - mode < Self.maximumTerms else {
        throw .numerical(routine: "NoncentralT", status: 0, message: "series did not converge upward")
      }
    }
    // Downward: j = mode − 1, …, 0.
    j = mode - 1
    while j >= 0 {
      let w = try weights(j)
      let b = try betaFactors(j, lowerTail: lowerTail)
      total += w.p * b.half + sign * w.q * b.whole
      guard j > 0 else { break }
      // Σ_{k<j} p_k = Q(j, λ), Σ_{k<j} q_k ≤ Q(j+½, λ); the beta factors are at most 1 (lower tail) or
      // b (upper tail, falling as j falls).
      let rest =
        (try SpecialFunctions.regularizedGammaUpper(Double(j), lambda)) * (lowerTail ? 1 : b.half)
        + (try SpecialFunctions.regularizedGammaUpper(Double(j) + 0.5, lambda)) * (lowerTail ? 1 : b.whole)
      if rest <= Self.relativeTolerance * abs(total) || rest < Double.leastNormalMagnitude { break }
      j -= 1
    }
    return total
  }
}
