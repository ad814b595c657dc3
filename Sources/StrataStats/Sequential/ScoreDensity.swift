import Foundation

// Recursive numerical integration for group-sequential designs (Armitage, McPherson & Rowe 1969), on
// the grid of Jennison & Turnbull (2000, chapter 19).
//
// Goals, in priority order:
//  1. Exit probabilities with full *relative* precision, however small (1e-18 at an early
//     O'Brien–Fleming look, or 1e-400): every exit probability is a sum of positive terms computed in
//     log space, ln Σ wᵢ·g(uᵢ)·Q(aᵢ), with ln Q from `Normal.logSurvival`, so nothing underflows and no
//     probability is ever formed as 1 − P.
//  2. Absolute accuracy of ~1e-9 on probabilities of order α (measured against rpact 3.3.4 and against
//     a grid of twice the density: docs/sequential.md).
//  3. Speed: O(K·n²) with n ≈ 12r grid points per look.
//
// Scale. The score (B-value) S_k = Z_k·√t_k has independent normal increments:
// S_k − S_{k−1} ~ N(θ·Δ_k, Δ_k), Δ_k = t_k − t_{k−1}, with θ the drift (E[Z] at t = 1). A look is
// continued while S_k is inside its continuation region (−∞, b_k) one-sided or (−b_k, b_k) two-sided,
// b_k = c_k·√t_k. The sub-density of S_k on that region (paths that have not stopped) is
//   g_k(s) = ∫ g_{k−1}(u) · φ((s − u − θΔ_k)/√Δ_k)/√Δ_k du,
// with g_0 a point mass at S_0 = 0, so look 1 needs no special case. The probability of first exit
// above b_k is ∫ g_{k−1}(u)·Q((b_k − u − θΔ_k)/√Δ_k) du, below −b_k it is ∫ g_{k−1}(u)·Q((b_k + u + θΔ_k)/√Δ_k) du.
//
// Grid. Around the mean θ·t_k, in units of √t_k, the 6r − 1 points of Jennison & Turnbull (19.4):
//   x_i = −3 − 4·ln(r/i)          i = 1 … r−1     (tail, geometric spacing)
//   x_i = −3 + 3·(i − r)/(2r)     i = r … 5r      (core, spacing 3/(2r))
//   x_i = 3 + 4·ln(r/(6r − i))    i = 5r+1 … 6r−1 (tail)
// trimmed to the continuation region, with the boundaries added as points, and midpoints inserted for
// composite Simpson's rule. With r = 64 (the default) the grid reaches ±19.6 standard deviations: the
// mass outside is below 1e-80, so cutting the region there loses nothing measurable, and a boundary
// beyond it just ends the grid at its last point. The error falls as h⁴: measured against r = 128,
// r = 32 is within 2e-7 relative on z and r = 64 within 1.2e-8 (docs/sequential.md).
//
// > P. Armitage, C. K. McPherson, B. C. Rowe. "Repeated significance tests on accumulating data."
// > JRSS A 132 (1969), 235–244. C. Jennison, B. W. Turnbull. *Group Sequential Methods with
// > Applications to Clinical Trials*, Chapman & Hall/CRC (2000), chapter 19.

/// The sub-density of the score S_k on look k's continuation region, on a Simpson grid.
struct ScoreDensity: Sendable {
  /// Grid points (score scale).
  var points: [Double]
  /// Simpson weights: ∫ f ≈ Σ weights[i]·f(points[i]).
  var weights: [Double]
  /// g_k(points[i]): the density of paths that have not stopped.
  var density: [Double]

  /// S_0 = 0 with probability 1 (before the first look).
  static let start = ScoreDensity(points: [0], weights: [1], density: [1])

  /// The number of grid points per standard deviation is governed by r (see the file header).
  static let defaultGridParameter = 64
  /// The r that the refinement before narrow increments is calibrated on (`gridParameter(afterLook:)`).
  static let referenceGridParameter = 32

  /// Total probability of not having stopped: ∫ g_k.
  var continuationProbability: Double {
    zip(weights, density).reduce(0) { $0 + $1.0 * $1.1 }
  }

  /// The log probability of a first exit at the next look.
  ///
  /// ln P(first exit at the next look) above `upper`, plus below −`upper` when `countingLower`, the
  /// next look being `increment` = Δ information later, under drift θ. Full relative precision in the
  /// tail. The continuation region of a two-sided design is (−upper, upper) whether or not exits below
  /// are counted; power counts only the exits above, as rpact does.
  func logExitProbability(upper: Double, countingLower: Bool, increment: Double, drift: Double) throws(StatsError)
    -> Double
  {
    let scale = increment.squareRoot()
    let shift = drift * increment
    var terms: [Double] = []
    terms.reserveCapacity(countingLower ? 2 * points.count : points.count)
    for i in points.indices {
      let mass = weights[i] * density[i]
      guard mass > 0 else { continue }
      let logMass = log(mass)
      terms.append(logMass + (try Normal.logSurvival((upper - points[i] - shift) / scale)))
      if countingLower {
        terms.append(logMass + (try Normal.logSurvival((upper + points[i] + shift) / scale)))
      }
    }
    return logSumExp(terms)
  }

  /// The sub-density at the next look.
  ///
  /// Continued on (−∞, upper) or (−upper, upper), `increment` later
  /// at cumulative information `fraction`, under drift θ. An empty region (the boundary below the
  /// grid) gives an empty density: every path has stopped, to within 1e-60.
  func propagated(
    upper: Double, twoSided: Bool, increment: Double, fraction: Double, drift: Double,
    gridParameter r: Int = ScoreDensity.defaultGridParameter
  ) -> ScoreDensity {
    let (newPoints, newWeights) = ScoreDensity.simpsonGrid(
      mean: drift * fraction, standardDeviation: fraction.squareRoot(),
      lower: twoSided ? -upper : -Double.infinity, upper: upper, gridParameter: r)
    let scale = increment.squareRoot()
    let shift = drift * increment
    let normalizer = 1 / (scale * (2 * Double.pi).squareRoot())
    var mass = [Double](repeating: 0, count: points.count)
    for i in points.indices { mass[i] = weights[i] * density[i] }
    var newDensity = [Double](repeating: 0, count: newPoints.count)
    newPoints.withUnsafeBufferPointer { target in
      points.withUnsafeBufferPointer { source in
        mass.withUnsafeBufferPointer { sourceMass in
          newDensity.withUnsafeMutableBufferPointer { result in
            // Kernel terms with |x| > 38.6 are exp(−745) = 0 in double precision, so only the window of
            // sources within 38.6·√Δ of (target − shift) is summed: exact, and much faster for small Δ.
            // Both grids are sorted, so the window slides forward as j grows.
            let reach = 38.6 * scale
            var first = 0
            var last = 0
            for j in 0..<target.count {
              let center = target[j] - shift
              while first < source.count && source[first] < center - reach { first += 1 }
              if last < first { last = first }
              while last < source.count && source[last] <= center + reach { last += 1 }
              var sum = 0.0
              for i in first..<last {
                let x = (center - source[i]) / scale
                sum += sourceMass[i] * exp(-0.5 * x * x)
              }
              result[j] = sum * normalizer
            }
          }
        }
      }
    }
    return ScoreDensity(points: newPoints, weights: newWeights, density: newDensity)
  }

  /// Jennison & Turnbull's grid around `mean` (in units of `standardDeviation`), trimmed to
  /// (lower, upper) with the ends added, and Simpson's midpoints and weights.
  static func simpsonGrid(
    mean: Double, standardDeviation: Double, lower: Double, upper: Double, gridParameter r: Int
  ) -> (points: [Double], weights: [Double]) {
    precondition(r >= 2)
    let rr = Double(r)
    var base: [Double] = []
    base.reserveCapacity(6 * r - 1)
    for i in 1...(6 * r - 1) {
      let x: Double
      if i < r {
        x = -3 - 4 * log(rr / Double(i))
      } else if i <= 5 * r {
        x = -3 + 3 * Double(i - r) / (2 * rr)
      } else {
        x = 3 + 4 * log(rr / Double(6 * r - i))
      }
      base.append(mean + standardDeviation * x)
    }
    var ends: [Double] = []
    if let first = base.first, lower > first { ends.append(lower) }
    var inner = base.filter { $0 > lower && $0 < upper }
    if let last = base.last, upper < last { inner.append(upper) }
    inner = ends + inner
    guard inner.count >= 2 else { return ([], []) }
    var points: [Double] = [inner[0]]
    points.reserveCapacity(2 * inner.count - 1)
    var weights = [Double](repeating: 0, count: 2 * inner.count - 1)
    for j in 1..<inner.count {
      let a = inner[j - 1]
      let b = inner[j]
      let width = b - a
      points.append(0.5 * (a + b))
      points.append(b)
      weights[2 * j - 2] += width / 6
      weights[2 * j - 1] += 4 * width / 6
      weights[2 * j] += width / 6
    }
    return (points, weights)
  }
}

/// ln Σ exp(termsᵢ), shifted by the largest term so nothing overflows or underflows; −∞ for no terms.
func logSumExp(_ terms: [Double]) -> Double {
  guard let largest = terms.max(), largest > -Double.infinity else { return -Double.infinity }
  var sum = 0.0
  for t in terms { sum += exp(t - largest) }
  return largest + log(sum)
}
