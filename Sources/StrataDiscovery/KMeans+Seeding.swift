import Foundation
import StrataStats

extension KMeans {
  /// Greedy k-means++ seeding: the first centre is a uniformly drawn row; each next one is the best of
  /// 2 + ⌊ln k⌋ rows drawn with probability proportional to their squared distance to the nearest centre so far
  /// (the one leaving the smallest total), as scikit-learn's `_kmeans_plusplus`.
  ///
  /// Draws come from `generator` in a fixed order, so the seed fixes the centres. The candidates of a step are all
  /// drawn against the same distances, so their draws are made together in one pass over the running sum.
  static func seed(_ data: FeatureMatrix, clusterCount k: Int, generator: SeededGenerator) -> FeatureMatrix {
    let n = data.rowCount
    let d = data.columnCount
    let trials = 2 + Int(log(Double(k)))
    var chosen = [generator.index(below: n)]
    var closest = [Double](repeating: 0, count: n)
    var candidateDistances = [Double](repeating: 0, count: n)
    var bestDistances = [Double](repeating: 0, count: n)
    var potential = 0.0
    data.values.withUnsafeBufferPointer { xs in
      closest.withUnsafeMutableBufferPointer { closest in
        for i in 0..<n {
          closest[i] = LloydIterations.squaredDistance(xs, i * d, xs, chosen[0] * d, d)
          potential += closest[i]
        }
      }
      while chosen.count < k {
        let candidates = draw(closest, potential: potential, count: trials, generator: generator)
        var bestCandidate = -1
        var bestPotential = Double.infinity
        for candidate in candidates {
          var total = 0.0
          closest.withUnsafeBufferPointer { closest in
            candidateDistances.withUnsafeMutableBufferPointer { distances in
              let centre = candidate * d
              for i in 0..<n {
                let distance = min(closest[i], LloydIterations.squaredDistance(xs, i * d, xs, centre, d))
                distances[i] = distance
                total += distance
              }
            }
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
    }
    var values: [Double] = []
    values.reserveCapacity(k * d)
    for row in chosen { values += data.values[(row * d)..<((row + 1) * d)] }
    return FeatureMatrix(rowCount: k, columnCount: d, values: values)
  }

  /// `count` rows, each drawn with probability proportional to `weights` (a uniform row when every weight is 0, as
  /// when all rows coincide with chosen centres), in the order of their draws from `generator`.
  ///
  /// Each draw is the first row whose running sum of weights exceeds uniform × potential; the running sum is
  /// taken once for all the draws.
  private static func draw(_ weights: [Double], potential: Double, count: Int, generator: SeededGenerator) -> [Int] {
    guard potential > 0 else { return (0..<count).map { _ in generator.index(below: weights.count) } }
    let targets = (0..<count).map { _ in generator.uniform() * potential }
    // Visit the targets in increasing order; equal targets find the same row.
    let order = targets.indices.sorted { targets[$0] < targets[$1] }
    // Rounding can leave a target just above the full sum: the last row with a positive weight.
    let fallback = weights.lastIndex { $0 > 0 } ?? (weights.count - 1)
    var rows = [Int](repeating: fallback, count: count)
    var next = 0
    var cumulative = 0.0
    weights.withUnsafeBufferPointer { weight in
      for index in 0..<weight.count {
        cumulative += weight[index]
        while next < count && cumulative > targets[order[next]] {
          rows[order[next]] = index
          next += 1
        }
        if next == count { break }
      }
    }
    return rows
  }
}
