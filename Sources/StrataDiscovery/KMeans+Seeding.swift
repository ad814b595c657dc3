import Foundation
import StrataStats

extension KMeans {
  /// Greedy k-means++ seeding: the first centre is a uniformly drawn row; each next one is the best of
  /// 2 + ⌊ln k⌋ rows drawn with probability proportional to their squared distance to the nearest centre so far
  /// (the one leaving the smallest total), as scikit-learn's `_kmeans_plusplus`.
  ///
  /// Draws come from `generator` in a fixed order, so the seed fixes the centres. The candidates of a step are all
  /// drawn against the same distances, so their draws are made together in one pass over the running sum, and
  /// they are measured together in one pass over the rows (four per vector, each lane with the rounding of
  /// ``LloydIterations/squaredDistance(_:_:_:_:_:)``, each candidate's total in row order); the chosen one's
  /// distances are then taken again into `closest` (one row's distance to the nearest centre so far, n entries)
  /// rather than kept for every candidate.
  static func seed(
    _ data: FeatureMatrix, clusterCount k: Int, generator: SeededGenerator, closest: UnsafeMutableBufferPointer<Double>
  ) -> FeatureMatrix {
    let n = data.rowCount
    let d = data.columnCount
    precondition(closest.count == n, "one distance per row")
    let trials = 2 + Int(log(Double(k)))
    let padded = (trials + 3) / 4 * 4
    var chosen = [generator.index(below: n)]
    var potential = 0.0
    var transposed = [Double](repeating: 0, count: padded * d)
    var totals = [Double](repeating: 0, count: padded)
    data.values.withUnsafeBufferPointer { xs in
      for i in 0..<n {
        closest[i] = LloydIterations.squaredDistance(xs, i * d, xs, chosen[0] * d, d)
        potential += closest[i]
      }
      while chosen.count < k {
        let candidates = draw(
          UnsafeBufferPointer(closest), potential: potential, count: trials, generator: generator)
        for (lane, candidate) in candidates.enumerated() {
          for j in 0..<d { transposed[j * padded + lane] = xs[candidate * d + j] }
        }
        for lane in totals.indices { totals[lane] = 0 }
        transposed.withUnsafeBufferPointer { ct in
          totals.withUnsafeMutableBufferPointer { total in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: padded) { distance in
              for i in 0..<n {
                LloydIterations.distances(xs, i * d, ct, d, padded, distance)
                let current = closest[i]
                for lane in 0..<trials { total[lane] += min(current, distance[lane]) }
              }
            }
          }
        }
        var bestCandidate = -1
        var bestPotential = Double.infinity
        for (lane, candidate) in candidates.enumerated() where totals[lane] < bestPotential {
          bestPotential = totals[lane]
          bestCandidate = candidate
        }
        let centre = bestCandidate * d
        for i in 0..<n { closest[i] = min(closest[i], LloydIterations.squaredDistance(xs, i * d, xs, centre, d)) }
        chosen.append(bestCandidate)
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
  private static func draw(
    _ weights: UnsafeBufferPointer<Double>, potential: Double, count: Int, generator: SeededGenerator
  ) -> [Int] {
    guard potential > 0 else { return (0..<count).map { _ in generator.index(below: weights.count) } }
    let targets = (0..<count).map { _ in generator.uniform() * potential }
    // Visit the targets in increasing order; equal targets find the same row.
    let order = targets.indices.sorted { targets[$0] < targets[$1] }
    // Rounding can leave a target just above the full sum: the last row with a positive weight.
    let fallback = weights.lastIndex { $0 > 0 } ?? (weights.count - 1)
    var rows = [Int](repeating: fallback, count: count)
    var next = 0
    var cumulative = 0.0
    for index in 0..<weights.count {
      cumulative += weights[index]
      while next < count && cumulative > targets[order[next]] {
        rows[order[next]] = index
        next += 1
      }
      if next == count { break }
    }
    return rows
  }
}
