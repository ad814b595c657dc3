import StrataStats

/// k-means clustering: k-means++ seeding from a seeded GSL generator, Lloyd iterations, and `restarts`
/// independent runs of which the one with the lowest inertia is kept.
///
/// ```
/// inertia = Σᵢ ‖xᵢ − c_{label(i)}‖²     (squared Euclidean distance to the nearest centroid)
/// ```
/// Goals, in order: the same data and seed give bit-identical centroids and labels on every run (sums are taken in
/// row order, ties go to the lower cluster index); an inertia as low as scikit-learn's `KMeans(n_init=restarts)`
/// (checked within 1% on fixtures); speed (one pass over the data per iteration, no allocation inside it).
///
/// Seeding is greedy k-means++ (Arthur and Vassilvitskii 2007, with 2 + ⌊ln k⌋ candidate centres per step, each
/// drawn with probability proportional to the squared distance to the nearest chosen centre, keeping the candidate
/// that lowers the potential most; the scheme scikit-learn uses). Lloyd's iterations stop when no label changes,
/// when the centres move less than `tolerance × mean feature variance` in total squared distance (scikit-learn's
/// `tol` convention), or after `maximumIterations`. A cluster left empty takes the point farthest from its
/// centroid, as scikit-learn does.
///
/// > D. Arthur and S. Vassilvitskii. "k-means++: the advantages of careful seeding." SODA 2007, 1027–1035.
/// > S. P. Lloyd. "Least squares quantization in PCM." *IEEE Trans. Inf. Theory* 28 (1982), 129–137.
public struct KMeans: Sendable, Hashable {
  public let clusterCount: Int
  /// Independent seeded runs (scikit-learn's `n_init`); the lowest inertia wins.
  public let restarts: Int
  public let maximumIterations: Int
  /// Relative to the mean feature variance, as scikit-learn's `tol`.
  public let tolerance: Double

  /// Validates: 1 to 65,534 clusters (labels are kept in two bytes), at least 1 restart and 1 iteration, a non-negative tolerance.
  public init(
    clusterCount: Int, restarts: Int = 4, maximumIterations: Int = 300, tolerance: Double = 1e-4
  ) throws(DiscoveryError) {
    guard clusterCount >= 1 && clusterCount < 65_535 else {
      throw DiscoveryError(field: "k", message: "needs 1 to 65,534 clusters, got \(clusterCount)")
    }
    guard restarts >= 1 else { throw DiscoveryError(field: "n-init", message: "must be at least 1, got \(restarts)") }
    guard maximumIterations >= 1 else {
      throw DiscoveryError(field: "max-iterations", message: "must be at least 1, got \(maximumIterations)")
    }
    guard tolerance >= 0 && tolerance.isFinite else {
      throw DiscoveryError(field: "tolerance", message: "must be a non-negative number, got \(tolerance)")
    }
    self.clusterCount = clusterCount
    self.restarts = restarts
    self.maximumIterations = maximumIterations
    self.tolerance = tolerance
  }

  /// Clusters the rows of `data`, drawing every random number from `generator` (record its seed).
  ///
  /// The data needs at least `clusterCount` rows.
  public func fit(_ data: FeatureMatrix, generator: SeededGenerator) throws(DiscoveryError) -> KMeansResult {
    try fit(data, generator: generator, bounded: true)
  }

  /// `bounded: false` runs every Lloyd iteration in full (every row against every centre), the plain algorithm
  /// that the bounded one must reproduce exactly; the tests compare the two.
  func fit(_ data: FeatureMatrix, generator: SeededGenerator, bounded: Bool) throws(DiscoveryError) -> KMeansResult {
    let fit = try compactFit(data, generator: generator, bounded: bounded)
    return KMeansResult(
      centroids: fit.centroids, labels: fit.labels.map(Int.init), inertia: fit.inertia, iterations: fit.iterations,
      restart: fit.restart)
  }

  /// ``fit(_:generator:)`` with the labels as they are kept, two bytes each (the discovery run keeps them for every
  /// k).
  func compactFit(_ data: FeatureMatrix, generator: SeededGenerator, bounded: Bool = true) throws(DiscoveryError)
    -> (centroids: FeatureMatrix, labels: [UInt16], inertia: Double, iterations: Int, restart: Int)
  {
    guard data.rowCount >= clusterCount else {
      throw DiscoveryError(
        field: "k", message: "\(clusterCount) clusters need at least \(clusterCount) units, got \(data.rowCount)")
    }
    let threshold = tolerance * KMeans.meanVariance(data)
    var lloyd = LloydIterations(data: data, clusterCount: clusterCount, bounded: bounded)
    var best: (centroids: FeatureMatrix, labels: [UInt16], inertia: Double, iterations: Int, restart: Int)?
    for restart in 0..<restarts {
      var centroids = KMeans.seed(
        data, clusterCount: clusterCount, generator: generator, closest: lloyd.scratch.distances())
      lloyd.reset()
      var iterations = 0
      while iterations < maximumIterations {
        iterations += 1
        let changed = lloyd.assign(centroids, accumulate: true).changed
        let moved = lloyd.update(&centroids)
        if !changed || moved <= threshold { break }
      }
      let inertia = lloyd.assign(centroids, inertia: true).inertia
      if best.map({ inertia < $0.inertia }) ?? true {
        best = (centroids, lloyd.labels, inertia, iterations, restart)
      }
    }
    guard let best else { preconditionFailure("restarts >= 1") }
    return best
  }

  /// The mean of the columns' population variances (each column's sums in row order, taken in one pass over the
  /// rows).
  static func meanVariance(_ data: FeatureMatrix) -> Double {
    let n = data.rowCount
    let d = data.columnCount
    guard n > 0 else { return 0 }
    var means = [Double](repeating: 0, count: d)
    var sums = [Double](repeating: 0, count: d)
    data.values.withUnsafeBufferPointer { x in
      for i in 0..<n { for j in 0..<d { means[j] += x[i * d + j] } }
      for j in 0..<d { means[j] /= Double(n) }
      for i in 0..<n {
        for j in 0..<d {
          let t = x[i * d + j] - means[j]
          sums[j] += t * t
        }
      }
    }
    var total = 0.0
    for j in 0..<d { total += sums[j] / Double(n) }
    return total / Double(d)
  }

  /// Labels every row with its nearest centroid (ties to the lower index); returns whether any label changed and
  /// the inertia.
  static func assign(_ data: FeatureMatrix, _ centroids: FeatureMatrix, _ labels: inout [Int]) -> (
    changed: Bool, inertia: Double
  ) {
    let n = data.rowCount
    let d = data.columnCount
    let k = centroids.rowCount
    var changed = false
    var inertia = 0.0
    data.values.withUnsafeBufferPointer { x in
      centroids.values.withUnsafeBufferPointer { c in
        labels.withUnsafeMutableBufferPointer { label in
          for i in 0..<n {
            let row = i * d
            var nearest = 0
            var nearestDistance = Double.infinity
            for cluster in 0..<k {
              let base = cluster * d
              var sum = 0.0
              for j in 0..<d {
                let t = x[row + j] - c[base + j]
                sum += t * t
              }
              if sum < nearestDistance {
                nearestDistance = sum
                nearest = cluster
              }
            }
            if label[i] != nearest {
              label[i] = nearest
              changed = true
            }
            inertia += nearestDistance
          }
        }
      }
    }
    return (changed, inertia)
  }
}

/// The outcome of ``KMeans/fit(_:generator:)``: the best restart's centroids and labels.
public struct KMeansResult: Sendable, Hashable {
  /// One row per cluster, in the feature space clustered.
  public let centroids: FeatureMatrix
  /// The cluster of each row of the data, 0..<k.
  public let labels: [Int]
  /// Σ squared distance of each row to its centroid.
  public let inertia: Double
  /// Lloyd iterations of the kept restart.
  public let iterations: Int
  /// Which restart (0-based) was kept.
  public let restart: Int

  /// Rows per cluster.
  public var sizes: [Int] {
    var sizes = [Int](repeating: 0, count: centroids.rowCount)
    for label in labels { sizes[label] += 1 }
    return sizes
  }
}
