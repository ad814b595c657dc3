import Foundation

/// The posterior of the between-segment spread τ under flat priors on μ and on τ ≥ 0, discretised once and
/// shared by every segment's calibrated interval.
///
/// ```
/// p(τ | y) ∝ p(τ) L_R(τ²)                   (the restricted likelihood: μ integrated out; p(τ) = 1 or half-normal)
/// u = log τ,   g(u) = τ · p(τ | y)          (the same density per unit of u)
/// P(θₖ ≤ x | y) ≈ Σⱼ Wⱼ Φ((x − θ̃ₖ(τⱼ)) / sₖ(τⱼ)),   τⱼ = exp(u* + j·h)
/// ```
/// g is analytic in the strip |Im u| < π/2 (its singularities sit where τ² = −vₖ) and decays exponentially at
/// both ends (like τ as τ → 0, like τ^−(K−2) as τ → ∞: proper from three segments on), so the trapezoidal rule
/// on an evenly spaced grid in u converges geometrically in 1/h. The grid is centred on the mode u* of g; h
/// starts at min(1/8, σᵤ/3), σᵤ the width of g's peak, and nodes run until g falls 40 e-folds below its peak.
/// Far left, where τ² < 10⁻¹² · min vₖ, every segment's component equals the τ = 0 one to 12 digits and g is
/// τ · L_R(0): that tail is summed in closed form (a geometric series) onto one node. Each segment's posterior
/// is then a mixture of normals over the same nodes: O(nodes) per CDF evaluation instead of a quadrature
/// over K-term sums, and the nodes cost O(K) each, once.
///
/// The even nodes form the same rule with step 2h (`coarseWeights`): where the two disagree at a quantile,
/// the step is too coarse for that segment (a sharp mixture), and the caller halves it.
struct TauPosterior: Sendable {
  /// Step of the grid in u = log τ.
  let step: Double
  /// τ² at each node.
  private(set) var tauSquared: [Double] = []
  /// Normalised weights of the rule with step h, and of the rule with step 2h (0 at odd nodes).
  private(set) var weights: [Double] = []
  private(set) var coarseWeights: [Double] = []
  /// μ̂(τ) and Var(μ̂ | τ) = 1 / Σ wₖ(τ) at each node.
  private(set) var means: [Double] = []
  private(set) var meanVariances: [Double] = []

  /// The most nodes a posterior may have (a guard against a runaway walk; typical counts are 50–500).
  static let nodeLimit = 400_000

  /// Discretises p(τ | y).
  ///
  /// `step` overrides the automatic step (used when the caller halves it).
  init(
    estimates: [Double], variances: [Double], prior: RandomEffectsModel.TauPrior = .flat, step requested: Double? = nil
  ) throws(StatsError) {
    precondition(estimates.count >= 3 && estimates.count == variances.count)
    let smallestVariance = variances.min() ?? 1
    let largestVariance = variances.max() ?? 1
    let spread = (estimates.max() ?? 0) - (estimates.min() ?? 0)
    // log g(u) with μ̂(τ) and 1 / Σ w(τ).
    func evaluate(_ u: Double) -> (logDensity: Double, mean: Double, meanVariance: Double) {
      let t2 = exp(2 * u)
      var logDeterminant = 0.0, weightSum = 0.0, weighted = 0.0
      for (v, y) in zip(variances, estimates) {
        logDeterminant += log(v + t2)
        weightSum += 1 / (v + t2)
        weighted += y / (v + t2)
      }
      let mean = weighted / weightSum
      var residual = 0.0
      for (v, y) in zip(variances, estimates) { residual += (y - mean) * (y - mean) / (v + t2) }
      return (u + prior.logDensity(exp(u)) - (logDeterminant + log(weightSum) + residual) / 2, mean, 1 / weightSum)
    }
    // The mode of g: a scan over every scale the data can support, then golden-section search.
    let scanLow = 0.5 * log(smallestVariance) - 8
    let scanHigh = log(largestVariance.squareRoot() + spread) + 8
    // A scan to ∞ (a variance or spread beyond the double range) would never end.
    guard scanLow.isFinite, scanHigh.isFinite else {
      throw .numerical(
        routine: "TauPosterior", status: 0,
        message: "the segments' variances or estimates are beyond the double range once brought to one scale")
    }
    var best = scanLow
    var bestValue = -Double.infinity
    var u = scanLow
    while u <= scanHigh {
      let value = evaluate(u).logDensity
      if value > bestValue { (best, bestValue) = (u, value) }
      u += 0.1
    }
    var a = best - 0.1, b = best + 0.1
    let ratio = (5.0.squareRoot() - 1) / 2
    var c = b - ratio * (b - a), d = a + ratio * (b - a)
    var fc = evaluate(c).logDensity, fd = evaluate(d).logDensity
    while b - a > 1e-9 {
      if fc > fd {
        (b, d, fd) = (d, c, fc)
        c = b - ratio * (b - a)
        fc = evaluate(c).logDensity
      } else {
        (a, c, fc) = (c, d, fd)
        d = a + ratio * (b - a)
        fd = evaluate(d).logDensity
      }
    }
    let mode = (a + b) / 2
    let peak = evaluate(mode).logDensity
    guard peak.isFinite else {
      throw .numerical(
        routine: "TauPosterior", status: 0, message: "the restricted likelihood is not finite at its maximum")
    }
    let delta = 1e-3
    let curvature = (2 * peak - evaluate(mode + delta).logDensity - evaluate(mode - delta).logDensity) / (delta * delta)
    let width = curvature > 0 && curvature.isFinite ? 1 / curvature.squareRoot() : 1
    step = requested ?? min(0.125, width / 3)

    // Walk the grid out from the mode until g is 40 e-folds below its peak.
    var lumpBelow = 1e-12 * smallestVariance
    if case .halfNormal(let scale) = prior { lumpBelow = min(lumpBelow, 1e-12 * scale * scale) }
    var right: [(Int, Double, Double, Double, Double)] = []  // (j, τ², log g, μ̂, Var μ̂)
    var j = 0
    while true {
      let u = mode + Double(j) * step
      let node = evaluate(u)
      right.append((j, exp(2 * u), node.logDensity, node.mean, node.meanVariance))
      if node.logDensity < peak - 40 { break }
      j += 1
      guard j < Self.nodeLimit else { throw Self.runaway }
    }
    var left: [(Int, Double, Double, Double, Double)] = []
    var lump: (weight: Double, coarse: Double)? = nil
    j = -1
    while true {
      let u = mode + Double(j) * step
      let node = evaluate(u)
      let t2 = exp(2 * u)
      left.append((j, t2, node.logDensity, node.mean, node.meanVariance))
      if node.logDensity < peak - 40 { break }
      if t2 < lumpBelow {
        // g ∝ τ from here on: Σ_{i ≤ j} g(u + (i − j)h) = g(u) / (1 − e^−h); the even ones for the 2h rule.
        let w = exp(node.logDensity - peak)
        let even = j % 2 == 0
        lump = (
          w / -expm1(-step),
          2 * w * (even ? 1 : exp(-step)) / -expm1(-2 * step)
        )
        break
      }
      j -= 1
      guard -j < Self.nodeLimit else { throw Self.runaway }
    }
    var nodes = left.reversed() + right
    var weights = nodes.map { exp($0.2 - peak) }
    var coarse = zip(nodes, weights).map { $0.0.0 % 2 == 0 ? 2 * $0.1 : 0 }
    if let lump {
      weights[0] = lump.weight
      coarse[0] = lump.coarse
    }
    let total = weights.reduce(0, +)
    let coarseTotal = coarse.reduce(0, +)
    guard total > 0, total.isFinite, coarseTotal > 0, coarseTotal.isFinite else {
      throw .numerical(
        routine: "TauPosterior", status: 0,
        message: "the posterior of the between-segment spread could not be normalised")
    }
    // Nodes that weigh nothing in either rule are dropped: what they carry is below 1e-17 each.
    var keep: [Int] = []
    for index in nodes.indices where weights[index] / total >= 1e-17 || coarse[index] / coarseTotal >= 1e-17 {
      keep.append(index)
    }
    nodes = keep.map { nodes[$0] }
    self.tauSquared = nodes.map { $0.1 }
    self.means = nodes.map { $0.3 }
    self.meanVariances = nodes.map { $0.4 }
    self.weights = keep.map { weights[$0] / total }
    self.coarseWeights = keep.map { coarse[$0] / coarseTotal }
  }

  private static var runaway: StatsError {
    .numerical(
      routine: "TauPosterior", status: 0,
      message: "the posterior of the between-segment spread needs more than \(nodeLimit) nodes")
  }
}
