import Foundation
import StrataStats

/// k-prototypes clustering of mixed numeric and categorical data (Huang 1997): k-means on the numeric features,
/// k-modes on the categorical ones, joined by the weight γ.
///
/// ```
/// dissimilarity(x, prototype) = Σ numeric (x_j − μ_j)² + γ · #{categorical j : x_j ≠ mode_j}
/// cost = Σᵢ dissimilarity(xᵢ, prototype of its cluster)
/// ```
/// A missing categorical value matches every mode (adds 0), as in the frozen rule (assignment spec §5a). γ
/// defaults to half the mean standard deviation of the numeric features (the `kmodes` package's default; 0.5 for
/// z-scores) and is reported. Seeding is k-means++ with this dissimilarity from the seeded GSL generator; then
/// batch iterations (assign every unit to its nearest prototype, then move each prototype to its members' means
/// and modes, a mode tie going to the level first in byte order) until no unit moves, at most
/// `maximumIterations`; `restarts` runs, the lowest cost kept. A cluster left empty takes the unit farthest from
/// its prototype. Checked against the `kmodes` package's `KPrototypes` on fixtures (cost no worse).
///
/// > Z. Huang. "Clustering large data sets with mixed numeric and categorical values." *Proc. 1st Pacific-Asia
/// > Conference on Knowledge Discovery and Data Mining* (1997), 21–34.
public struct KPrototypes: Sendable, Hashable {
  public let clusterCount: Int
  public let restarts: Int
  public let maximumIterations: Int
  public let gamma: Double

  public init(clusterCount: Int, restarts: Int = 4, maximumIterations: Int = 100, gamma: Double) throws(DiscoveryError)
  {
    guard clusterCount >= 1 else { throw DiscoveryError(field: "k", message: "needs at least 1 cluster") }
    guard restarts >= 1 else { throw DiscoveryError(field: "n-init", message: "must be at least 1, got \(restarts)") }
    guard maximumIterations >= 1 else {
      throw DiscoveryError(field: "max-iterations", message: "must be at least 1, got \(maximumIterations)")
    }
    guard gamma >= 0 && gamma.isFinite else {
      throw DiscoveryError(field: "gamma", message: "must be a non-negative number, got \(gamma)")
    }
    self.clusterCount = clusterCount
    self.restarts = restarts
    self.maximumIterations = maximumIterations
    self.gamma = gamma
  }

  /// The kmodes package's default γ: half the mean (population) standard deviation of the numeric columns.
  public static func defaultGamma(_ numeric: FeatureMatrix) -> Double {
    0.5
      * (0..<numeric.columnCount).map { j -> Double in
        let n = Double(numeric.rowCount)
        var mean = 0.0
        for i in 0..<numeric.rowCount { mean += numeric[i, j] }
        mean /= n
        var sum = 0.0
        for i in 0..<numeric.rowCount { sum += (numeric[i, j] - mean) * (numeric[i, j] - mean) }
        return (sum / n).squareRoot()
      }.reduce(0, +) / Double(max(numeric.columnCount, 1))
  }

  /// Clusters rows given by their numeric features and categorical codes (same rows in both).
  public func fit(_ numeric: FeatureMatrix, _ categorical: CategoricalColumns, generator: SeededGenerator)
    throws(DiscoveryError) -> KPrototypesResult
  {
    precondition(numeric.rowCount == categorical.rowCount, "same rows")
    let n = numeric.rowCount
    guard n >= clusterCount else {
      throw DiscoveryError(
        field: "k", message: "\(clusterCount) clusters need at least \(clusterCount) units, got \(n)")
    }
    var best: KPrototypesResult?
    for restart in 0..<restarts {
      var prototypes = seed(numeric, categorical, generator: generator)
      var labels = [Int](repeating: -1, count: n)
      var iterations = 0
      while iterations < maximumIterations {
        iterations += 1
        let changed = assign(numeric, categorical, prototypes, &labels).changed
        update(numeric, categorical, &prototypes, labels)
        if !changed { break }
      }
      let cost = assign(numeric, categorical, prototypes, &labels).cost
      let result = KPrototypesResult(
        means: prototypes.means, modes: prototypes.modes, labels: labels, cost: cost, gamma: gamma,
        iterations: iterations, restart: restart)
      if best.map({ cost < $0.cost }) ?? true { best = result }
    }
    guard let best else { preconditionFailure("restarts >= 1") }
    return best
  }

  struct Prototypes {
    var means: FeatureMatrix
    /// `modes[l * q + f]`, −1 when the cluster has no value for the feature.
    var modes: [Int]
  }

  func dissimilarity(
    _ numeric: FeatureMatrix, _ categorical: CategoricalColumns, row: Int, _ prototypes: Prototypes, cluster: Int
  ) -> Double {
    var sum = numeric.squaredDistance(row, to: prototypes.means, row: cluster)
    let q = categorical.featureCount
    for f in 0..<q {
      let code = categorical[row, f]
      if code >= 0 && code != prototypes.modes[cluster * q + f] { sum += gamma }
    }
    return sum
  }

  /// k-means++ seeding (one candidate per step) with the mixed dissimilarity.
  func seed(_ numeric: FeatureMatrix, _ categorical: CategoricalColumns, generator: SeededGenerator) -> Prototypes {
    let n = numeric.rowCount
    let q = categorical.featureCount
    var chosen = [generator.index(below: n)]
    func prototypes(_ rows: [Int]) -> Prototypes {
      Prototypes(
        means: numeric.rows(rows), modes: rows.flatMap { row in (0..<q).map { categorical[row, $0] } })
    }
    var current = prototypes(chosen)
    var closest = (0..<n).map { dissimilarity(numeric, categorical, row: $0, current, cluster: 0) }
    while chosen.count < clusterCount {
      let total = closest.reduce(0, +)
      var next = generator.index(below: n)
      if total > 0 {
        let target = generator.uniform() * total
        var cumulative = 0.0
        next = closest.lastIndex { $0 > 0 } ?? next
        for (row, weight) in closest.enumerated() {
          cumulative += weight
          if cumulative > target {
            next = row
            break
          }
        }
      }
      chosen.append(next)
      current = prototypes(chosen)
      for row in 0..<n {
        closest[row] = min(
          closest[row], dissimilarity(numeric, categorical, row: row, current, cluster: chosen.count - 1))
      }
    }
    return current
  }

  func assign(
    _ numeric: FeatureMatrix, _ categorical: CategoricalColumns, _ prototypes: Prototypes, _ labels: inout [Int]
  ) -> (changed: Bool, cost: Double) {
    var changed = false
    var cost = 0.0
    for row in 0..<numeric.rowCount {
      var nearest = 0
      var nearestDistance = Double.infinity
      for cluster in 0..<clusterCount {
        let distance = dissimilarity(numeric, categorical, row: row, prototypes, cluster: cluster)
        if distance < nearestDistance {
          nearestDistance = distance
          nearest = cluster
        }
      }
      if labels[row] != nearest {
        labels[row] = nearest
        changed = true
      }
      cost += nearestDistance
    }
    return (changed, cost)
  }

  func update(
    _ numeric: FeatureMatrix, _ categorical: CategoricalColumns, _ prototypes: inout Prototypes, _ labels: [Int]
  ) {
    let n = numeric.rowCount
    let q = categorical.featureCount
    var labels = labels
    // An empty cluster takes the unit farthest from its own prototype (taken from a cluster with others left).
    var sizes = [Int](repeating: 0, count: clusterCount)
    for label in labels { sizes[label] += 1 }
    for cluster in 0..<clusterCount where sizes[cluster] == 0 {
      var farthest = -1
      var farthestDistance = -1.0
      for row in 0..<n where sizes[labels[row]] > 1 {
        let distance = dissimilarity(numeric, categorical, row: row, prototypes, cluster: labels[row])
        if distance > farthestDistance {
          farthestDistance = distance
          farthest = row
        }
      }
      guard farthest >= 0 else { continue }
      sizes[labels[farthest]] -= 1
      labels[farthest] = cluster
      sizes[cluster] = 1
    }
    let means = ClusterQuality.clusterMeans(numeric, labels: labels, clusterCount: clusterCount)
    for cluster in 0..<clusterCount where means.sizes[cluster] > 0 {
      for j in 0..<numeric.columnCount {
        prototypes.means.values[cluster * numeric.columnCount + j] = means.centroids[cluster, j]
      }
    }
    for f in 0..<q {
      var counts = [[Int]](repeating: [Int](repeating: 0, count: categorical.levels[f].count), count: clusterCount)
      for row in 0..<n where categorical[row, f] >= 0 { counts[labels[row]][categorical[row, f]] += 1 }
      for cluster in 0..<clusterCount {
        var mode = -1
        var modeCount = 0
        for (code, count) in counts[cluster].enumerated() where count > modeCount {
          mode = code
          modeCount = count
        }
        if mode >= 0 { prototypes.modes[cluster * q + f] = mode }
      }
    }
  }
}

/// The outcome of ``KPrototypes/fit(_:_:generator:)``.
public struct KPrototypesResult: Sendable, Hashable {
  /// Numeric part of each prototype (k rows).
  public let means: FeatureMatrix
  /// Categorical part: `modes[l * q + f]`, a level code (−1 when no member had a value).
  public let modes: [Int]
  public let labels: [Int]
  public let cost: Double
  public let gamma: Double
  public let iterations: Int
  public let restart: Int

  public var sizes: [Int] {
    var sizes = [Int](repeating: 0, count: means.rowCount)
    for label in labels { sizes[label] += 1 }
    return sizes
  }
}
