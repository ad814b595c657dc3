/// Lloyd's iterations for one ``KMeans`` fit, with Hamerly's bounds to skip rows whose nearest centre cannot
/// have changed, and buffers reused across restarts (no allocation inside an iteration).
///
/// Each row keeps an upper bound u on its distance to its own centre and a lower bound l on its distance to every
/// other centre. After the centres move by δⱼ, u grows by δ of its own centre and l shrinks by the largest δ of
/// the others; with sⱼ half the distance from centre j to its nearest other centre, a row whose u is below
/// max(s, l) keeps its centre, and any other row is measured against every centre. Skipping is only allowed
/// with a margin of 1e-10 × a bound on the data's diameter, far above the rounding of any computed distance, so a
/// skipped row is one whose computed nearest centre (ties to the lower index) could not have changed: the labels,
/// centres and inertia are exactly those of plain Lloyd iterations (the tests compare them).
///
/// > G. Hamerly. "Making k-means even faster." SIAM International Conference on Data Mining 2010, 130–140.
struct LloydIterations {
  let data: FeatureMatrix
  let clusterCount: Int
  /// false: every row against every centre in every iteration (the plain algorithm, for the tests).
  let bounded: Bool
  /// The cluster of each row (−1 before the first assignment).
  private(set) var labels: [Int]
  private var upper: [Double]
  private var lower: [Double]
  /// How far each centre moved in the last update (Euclidean), and whether the bounds are set yet.
  private var shifts: [Double]
  /// Half the distance from each centre to its nearest other centre.
  private var half: [Double]
  private var boundsSet = false
  private var sums: [Double]
  private var counts: [Int]
  /// Below this margin a bound decides nothing.
  private let slack: Double

  init(data: FeatureMatrix, clusterCount: Int, bounded: Bool) {
    self.data = data
    self.clusterCount = clusterCount
    self.bounded = bounded
    let n = data.rowCount
    labels = [Int](repeating: -1, count: n)
    upper = [Double](repeating: 0, count: bounded ? n : 0)
    lower = [Double](repeating: 0, count: bounded ? n : 0)
    shifts = [Double](repeating: 0, count: clusterCount)
    half = [Double](repeating: 0, count: clusterCount)
    sums = [Double](repeating: 0, count: clusterCount * data.columnCount)
    counts = [Int](repeating: 0, count: clusterCount)
    slack = 1e-10 * LloydIterations.diameterBound(data)
  }

  /// Twice the largest distance of a row from the mean row: every centre (a mean of rows, or a row) is within the
  /// rows' convex hull, so no distance the bounds track exceeds it.
  static func diameterBound(_ data: FeatureMatrix) -> Double {
    let n = data.rowCount
    let d = data.columnCount
    guard n > 0 else { return 0 }
    var mean = [Double](repeating: 0, count: d)
    var largest = 0.0
    data.values.withUnsafeBufferPointer { x in
      for i in 0..<n { for j in 0..<d { mean[j] += x[i * d + j] } }
      for j in 0..<d { mean[j] /= Double(n) }
      for i in 0..<n {
        var sum = 0.0
        for j in 0..<d {
          let t = x[i * d + j] - mean[j]
          sum += t * t
        }
        largest = max(largest, sum)
      }
    }
    return 2 * largest.squareRoot()
  }

  /// Forgets the labels and bounds (a new restart).
  mutating func reset() {
    for i in labels.indices { labels[i] = -1 }
    boundsSet = false
  }

  /// Labels every row with its nearest centroid (ties to the lower index); returns whether any label changed.
  mutating func assign(_ centroids: FeatureMatrix) -> Bool {
    let n = data.rowCount
    let d = data.columnCount
    let k = clusterCount
    let useBounds = bounded && boundsSet
    // Half the distance from each centre to its nearest other centre, and the two largest shifts.
    var largestShift = 0.0
    var largestShiftCluster = -1
    var secondShift = 0.0
    if useBounds {
      for cluster in 0..<k { half[cluster] = .infinity }
      centroids.values.withUnsafeBufferPointer { c in
        for a in 0..<k {
          for b in (a + 1)..<k {
            let distance =
              LloydIterations.squaredDistance(c, a * d, c, b * d, d)
              .squareRoot() / 2
            half[a] = min(half[a], distance)
            half[b] = min(half[b], distance)
          }
        }
      }
      for (cluster, shift) in shifts.enumerated() {
        if shift > largestShift {
          secondShift = largestShift
          largestShift = shift
          largestShiftCluster = cluster
        } else if shift > secondShift {
          secondShift = shift
        }
      }
    }
    let slack = slack
    let bounded = bounded
    var changed = false
    data.values.withUnsafeBufferPointer { xs in
      centroids.values.withUnsafeBufferPointer { cs in
        labels.withUnsafeMutableBufferPointer { label in
          upper.withUnsafeMutableBufferPointer { up in
            lower.withUnsafeMutableBufferPointer { low in
              shifts.withUnsafeBufferPointer { shift in
                half.withUnsafeBufferPointer { half in
                  for i in 0..<n {
                    let row = i * d
                    if useBounds {
                      let own = label[i]
                      up[i] += shift[own]
                      low[i] -= own == largestShiftCluster ? secondShift : largestShift
                      let bound = max(half[own], low[i])
                      if up[i] + slack < bound { continue }
                      up[i] = LloydIterations.squaredDistance(xs, row, cs, own * d, d).squareRoot()
                      if up[i] + slack < bound { continue }
                    }
                    var nearest = 0
                    var nearestDistance = Double.infinity
                    var secondDistance = Double.infinity
                    for cluster in 0..<k {
                      let sum = LloydIterations.squaredDistance(xs, row, cs, cluster * d, d)
                      if sum < nearestDistance {
                        secondDistance = nearestDistance
                        nearestDistance = sum
                        nearest = cluster
                      } else if sum < secondDistance {
                        secondDistance = sum
                      }
                    }
                    if label[i] != nearest {
                      label[i] = nearest
                      changed = true
                    }
                    if bounded {
                      up[i] = nearestDistance.squareRoot()
                      low[i] = secondDistance.squareRoot()
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    boundsSet = bounded
    return changed
  }

  /// Moves each centroid to the mean of its rows (an empty cluster takes the row farthest from its centroid, not
  /// already taken, from a cluster of more than one row); returns the total squared distance the centroids moved.
  mutating func update(_ centroids: inout FeatureMatrix) -> Double {
    let n = data.rowCount
    let d = data.columnCount
    let k = clusterCount
    for index in sums.indices { sums[index] = 0 }
    for index in counts.indices { counts[index] = 0 }
    data.values.withUnsafeBufferPointer { x in
      labels.withUnsafeBufferPointer { label in
        sums.withUnsafeMutableBufferPointer { sum in
          counts.withUnsafeMutableBufferPointer { count in
            for i in 0..<n {
              let cluster = label[i]
              count[cluster] += 1
              for j in 0..<d { sum[cluster * d + j] += x[i * d + j] }
            }
          }
        }
      }
    }
    var taken: Set<Int> = []
    for cluster in 0..<k where counts[cluster] == 0 {
      // The row farthest from its own centroid, not already taken by another empty cluster.
      var farthest = -1
      var farthestDistance = -1.0
      for i in 0..<n where !taken.contains(i) && counts[labels[i]] > 1 {
        let distance = data.squaredDistance(i, to: centroids, row: labels[i])
        if distance > farthestDistance {
          farthestDistance = distance
          farthest = i
        }
      }
      guard farthest >= 0 else { continue }
      taken.insert(farthest)
      let from = labels[farthest]
      counts[from] -= 1
      counts[cluster] = 1
      for j in 0..<d {
        let value = data.values[farthest * d + j]
        sums[from * d + j] -= value
        sums[cluster * d + j] = value
      }
    }
    var moved = 0.0
    for cluster in 0..<k {
      var clusterMoved = 0.0
      if counts[cluster] > 0 {
        for j in 0..<d {
          let mean = sums[cluster * d + j] / Double(counts[cluster])
          let t = mean - centroids.values[cluster * d + j]
          moved += t * t
          clusterMoved += t * t
          centroids.values[cluster * d + j] = mean
        }
      }
      shifts[cluster] = clusterMoved.squareRoot()
    }
    return moved
  }

  /// Σ squared distance of each row to its labelled centroid, in row order.
  func inertia(_ centroids: FeatureMatrix) -> Double {
    let n = data.rowCount
    let d = data.columnCount
    var total = 0.0
    data.values.withUnsafeBufferPointer { x in
      centroids.values.withUnsafeBufferPointer { c in
        labels.withUnsafeBufferPointer { label in
          for i in 0..<n {
            total += LloydIterations.squaredDistance(x, i * d, c, label[i] * d, d)
          }
        }
      }
    }
    return total
  }

  /// Σⱼ (a[aStart + j] − b[bStart + j])² over j in 0..<d, in order (the same rounding wherever a distance is
  /// compared).
  @inline(__always)
  static func squaredDistance(
    _ a: UnsafeBufferPointer<Double>, _ aStart: Int, _ b: UnsafeBufferPointer<Double>, _ bStart: Int, _ d: Int
  ) -> Double {
    var sum = 0.0
    for j in 0..<d {
      let t = a[aStart + j] - b[bStart + j]
      sum += t * t
    }
    return sum
  }
}
