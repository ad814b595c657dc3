import Foundation

extension TauPosterior {
  /// One segment's posterior: a mixture of normals N(θ̃ₖ(τⱼ), sₖ(τⱼ)²) over the nodes.
  struct SegmentMixture {
    let centers: [Double]
    let spreads: [Double]
    let weights: [Double]
    let coarseWeights: [Double]

    /// Its mean and standard deviation, the chance of each sign and the expected loss of each choice, summed
    /// over the components under the fine rule (each term the normal closed form).
    func summary() -> CalibratedPosterior {
      var mean = 0.0, secondMoment = 0.0, above = 0.0, below = 0.0, upside = 0.0, downside = 0.0
      for index in centers.indices where weights[index] > 0 {
        let (m, s, w) = (centers[index], spreads[index], weights[index])
        let z = m / s
        let pAbove = 0.5 * erfc(-z * 0.5.squareRoot())
        let pBelow = 0.5 * erfc(z * 0.5.squareRoot())
        let density = exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
        mean += w * m
        secondMoment += w * (s * s + m * m)
        above += w * pAbove
        below += w * pBelow
        upside += w * max(0, m * pAbove + s * density)
        downside += w * max(0, -m * pBelow + s * density)
      }
      // The weights sum to 1 only to rounding: a sign the whole mixture is sure of came out as 1.0000000000000007.
      return CalibratedPosterior(
        mean: mean, standardDeviation: max(secondMoment - mean * mean, 0).squareRoot(), above: min(above, 1),
        below: min(below, 1), upside: upside, downside: downside)
    }

    /// The mixture's CDF and density at x under the fine rule (or the coarse one).
    func distribution(_ x: Double, coarse: Bool = false) -> (cdf: Double, density: Double) {
      let w = coarse ? coarseWeights : weights
      var cdf = 0.0, density = 0.0
      for index in centers.indices where w[index] > 0 {
        let z = (x - centers[index]) / spreads[index]
        cdf += w[index] * 0.5 * erfc(-z * 0.5.squareRoot())
        density += w[index] * exp(-0.5 * z * z) / spreads[index]
      }
      return (cdf, density / (2 * Double.pi).squareRoot())
    }

    /// The x where the CDF reaches `probability`: Newton's method from `start`, kept inside a bracket that
    /// shrinks at every step (bisection when Newton would leave it), to 1e-13 of the widest component.
    func quantile(_ probability: Double, start: Double) throws(StatsError) -> Double {
      var lower = Double.infinity, upper = -Double.infinity, widest = 0.0
      for (m, s) in zip(centers, spreads) {
        lower = min(lower, m - 12 * s)
        upper = max(upper, m + 12 * s)
        widest = max(widest, s)
      }
      let tolerance = 1e-13 * widest
      var x = min(max(start, lower), upper)
      for _ in 0..<200 {
        let (cdf, density) = distribution(x)
        let gap = cdf - probability
        if gap == 0 { return x }
        if gap < 0 { lower = x } else { upper = x }
        var next = density > 0 ? x - gap / density : .nan
        if !(next > lower && next < upper) { next = (lower + upper) / 2 }
        if abs(next - x) <= tolerance || upper - lower <= tolerance { return next }
        x = next
      }
      throw .numerical(
        routine: "TauPosterior.quantile", status: 0, message: "the mixture quantile did not converge in 200 steps")
    }
  }

  /// The posterior of the true effect of the segment with estimate y and sampling variance v.
  ///
  /// θ̃(τ) = λy + (1 − λ)μ̂(τ) and s(τ)² = λv + (1 − λ)² Var(μ̂ | τ), λ = τ²/(τ² + v).
  func mixture(estimate y: Double, variance v: Double) -> SegmentMixture {
    var centers: [Double] = []
    var spreads: [Double] = []
    centers.reserveCapacity(tauSquared.count)
    spreads.reserveCapacity(tauSquared.count)
    for index in tauSquared.indices {
      let reliability = tauSquared[index] / (tauSquared[index] + v)
      centers.append(reliability * y + (1 - reliability) * means[index])
      spreads.append(
        (reliability * v + (1 - reliability) * (1 - reliability) * meanVariances[index]).squareRoot())
    }
    return SegmentMixture(centers: centers, spreads: spreads, weights: weights, coarseWeights: coarseWeights)
  }

  /// The central `level` interval of a segment's posterior, and how far the coarse (2h) rule's CDF is from
  /// the target probabilities at its ends (the step is fine enough when that is far below the tolerance).
  func interval(estimate y: Double, variance v: Double, level: Double, critical: Double) throws(StatsError) -> (
    interval: ConfidenceInterval, coarseGap: Double
  ) {
    let mixture = mixture(estimate: y, variance: v)
    // Normal approximation of the mixture as the starting point.
    var mean = 0.0, secondMoment = 0.0
    for index in mixture.centers.indices {
      let (m, s) = (mixture.centers[index], mixture.spreads[index])
      mean += mixture.weights[index] * m
      secondMoment += mixture.weights[index] * (s * s + m * m)
    }
    let sd = max(secondMoment - mean * mean, 0).squareRoot()
    let tail = (1 - level) / 2
    let lower = try mixture.quantile(tail, start: mean - critical * sd)
    let upper = try mixture.quantile(1 - tail, start: mean + critical * sd)
    let gap = max(
      abs(mixture.distribution(lower, coarse: true).cdf - tail),
      abs(mixture.distribution(upper, coarse: true).cdf - (1 - tail)))
    return (ConfidenceInterval(lower: lower, upper: upper, confidenceLevel: level), gap)
  }
}
