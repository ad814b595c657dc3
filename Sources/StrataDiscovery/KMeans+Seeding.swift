import Foundation
import StrataStats

extension KMeans {
  /// Greedy k-means++ seeding: the first centre is a uniformly drawn row; each next one is the best of
  /// 2 + ⌊ln k⌋ rows drawn with probability proportional to their squared distance to the nearest centre so far
  /// (the one leaving the smallest total), as scikit-learn's `_kmeans_plusplus`.
  ///
  /// Draws come from `generator` in a fixed order, so the seed fixes the centres.
  static func seed(_ data: FeatureMatrix, clusterCount k: Int, generator: SeededGenerator) -> FeatureMatrix {
    let n = data.rowCount
    let d = data.columnCount
    let trials = 2 + Int(log(Double(k)))
    var chosen = [generator.index(below: n)]
    var closest = (0..<n).map { data.squaredDistance($0, to: data, row: chosen[0]) }
    var potential = closest.reduce(0, +)
    var candidateDistances = [Double](repeating: 0, count: n)
    var bestDistances = [Double](repeating: 0, count: n)
    while chosen.count < k {
      var bestCandidate = -1
      var bestPotential = Double.infinity
      for _ in 0..<trials {
        let candidate = draw(closest, potential: potential, generator: generator)
        var total = 0.0
        for i in 0..<n {
          let distance = min(closest[i], data.squaredDistance(i, to: data, row: candidate))
          candidateDistances[i] = distance
          total += distance
        }
        if total < bestPotential {
          bestPotential = total
          bestCandidate = candidate
          swap(&candidateDistances, &bestDistances)
        }
      }
      chosen.append(bestCandidate)
      swap(&closest, &bestDistances)
      potential = bestPotential
    }
    var values: [Double] = []
    values.reserveCapacity(k * d)
    for row in chosen { values += data.values[(row * d)..<((row + 1) * d)] }
    return FeatureMatrix(rowCount: k, columnCount: d, values: values)
  }

  /// A row drawn with probability proportional to `weights` (a uniform row when every weight is 0, as when all
  /// rows coincide with chosen centres).
  private static func draw(_ weights: [Double], potential: Double, generator: SeededGenerator) -> Int {
    guard potential > 0 else { return generator.index(below: weights.count) }
    let target = generator.uniform() * potential
    var cumulative = 0.0
    for (index, weight) in weights.enumerated() {
      cumulative += weight
      if cumulative > target { return index }
    }
    // Rounding left the target just above the running sum: the last row with a positive weight.
    return weights.lastIndex { $0 > 0 } ?? (weights.count - 1)
  }
}
