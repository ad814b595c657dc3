/// Lloyd's iterations for one ``KMeans`` fit, with Hamerly's bounds to skip rows whose nearest centre cannot
/// have changed, and buffers reused across restarts (no allocation inside an iteration).
///
/// Each row keeps an upper bound u on its distance to its own centre and a lower bound l on its distance to every
/// other centre. After the centres move by δⱼ, u grows by δ of its own centre and l shrinks by the largest δ of
/// the others; with sⱼ half the distance from centre j to its nearest other centre, a row whose u is below
/// max(s, l) keeps its centre, and any other row is measured against every centre. Skipping is only allowed
/// with a margin of 1e-10 × a bound on the data's diameter, far above the rounding of any computed distance, so a
/// skipped row is one whose computed nearest centre (ties to the lower index) could not have changed: the labels,
/// centres and inertia are exactly those of plain Lloyd iterations (the tests compare them). The bounds are kept
/// as `Float`s rounded outwards (u up, l down), which only loosens them.
///
/// A row that is measured is measured against every centre at once: the centres are held transposed, and
/// ``distances(_:_:_:_:_:)`` takes four centres per vector lane, each lane summing its own squares in feature
/// order, so every distance has exactly the rounding of ``squaredDistance(_:_:_:_:_:)``. The centre sums of the
/// update are taken in the same pass over the rows (each cluster's still in row order), and the inertia in the
/// last one.
///
/// > G. Hamerly. "Making k-means even faster." SIAM International Conference on Data Mining 2010, 130–140.
struct LloydIterations {
  let data: FeatureMatrix
  let clusterCount: Int
  /// false: every row against every centre in every iteration (the plain algorithm, for the tests).
  let bounded: Bool
  /// The cluster of each row (`unassigned` before the first assignment).
  private(set) var labels: [UInt16]
  static let unassigned = UInt16.max
  /// Per row, its upper and lower bound (2 × n Floats); between restarts the same memory holds k-means++'s
  /// distances (n Doubles), see ``RowScratch``.
  let scratch: RowScratch
  /// How far each centre moved in the last update (Euclidean), and whether the bounds are set yet.
  private var shifts: [Double]
  /// Half the distance from each centre to its nearest other centre.
  private var half: [Double]
  private var boundsSet = false
  private var sums: [Double]
  private var counts: [Int]
  /// The centres transposed, `transposed[j * paddedCount + c]`, padded with zeros to whole vectors.
  private var transposed: [Double]
  private let paddedCount: Int
  /// Below this margin a bound decides nothing.
  private let slack: Double

  init(data: FeatureMatrix, clusterCount: Int, bounded: Bool) {
    precondition(clusterCount < Int(LloydIterations.unassigned), "fewer than 65,535 clusters")
    self.data = data
    self.clusterCount = clusterCount
    self.bounded = bounded
    let n = data.rowCount
    labels = [UInt16](repeating: LloydIterations.unassigned, count: n)
    scratch = RowScratch(rowCount: n)
    shifts = [Double](repeating: 0, count: clusterCount)
    half = [Double](repeating: 0, count: clusterCount)
    sums = [Double](repeating: 0, count: clusterCount * data.columnCount)
    counts = [Int](repeating: 0, count: clusterCount)
    paddedCount = (clusterCount + 3) / 4 * 4
    transposed = [Double](repeating: 0, count: paddedCount * data.columnCount)
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
    for i in labels.indices { labels[i] = LloydIterations.unassigned }
    boundsSet = false
  }

  /// Labels every row with its nearest centroid (ties to the lower index); returns whether any label changed.
  ///
  /// With `accumulate`, the sums and counts of each cluster's rows (in row order) are taken for ``update(_:)``;
  /// with `inertia`, the returned inertia is Σ squared distance of each row to its new centre, in row order (else
  /// 0).
  mutating func assign(_ centroids: FeatureMatrix, accumulate: Bool = false, inertia: Bool = false) -> (
    changed: Bool, inertia: Double
  ) {
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
    for cluster in 0..<k {
      for j in 0..<d { transposed[j * paddedCount + cluster] = centroids.values[cluster * d + j] }
    }
    if accumulate {
      for index in sums.indices { sums[index] = 0 }
      for index in counts.indices { counts[index] = 0 }
    }
    let slack = slack
    let bounded = bounded
    let padded = paddedCount
    var changed = false
    var total = 0.0
    let bounds = scratch.bounds()
    withUnsafeTemporaryAllocation(of: Double.self, capacity: padded) { distance in
      data.values.withUnsafeBufferPointer { xs in
        centroids.values.withUnsafeBufferPointer { cs in
          transposed.withUnsafeBufferPointer { ct in
            labels.withUnsafeMutableBufferPointer { label in
              sums.withUnsafeMutableBufferPointer { sum in
                counts.withUnsafeMutableBufferPointer { count in
                  shifts.withUnsafeBufferPointer { shift in
                    half.withUnsafeBufferPointer { half in
                      for i in 0..<n {
                        let row = i * d
                        var cluster = -1
                        var own = -1.0  // the squared distance to `cluster`, when measured
                        if useBounds {
                          let current = Int(label[i])
                          var up = Double(bounds[2 * i]) + shift[current]
                          let low =
                            Double(bounds[2 * i + 1])
                            - (current == largestShiftCluster ? secondShift : largestShift)
                          let bound = max(half[current], low)
                          if up + slack < bound {
                            cluster = current
                          } else {
                            own = LloydIterations.squaredDistance(xs, row, cs, current * d, d)
                            up = own.squareRoot()
                            if up + slack < bound { cluster = current }
                          }
                          if cluster >= 0 {
                            bounds[2 * i] = LloydIterations.roundedUp(up)
                            bounds[2 * i + 1] = LloydIterations.roundedDown(low)
                          }
                        }
                        if cluster < 0 {
                          LloydIterations.distances(xs, row, ct, d, padded, distance)
                          var nearest = 0
                          var nearestDistance = Double.infinity
                          var secondDistance = Double.infinity
                          for candidate in 0..<k {
                            let sum = distance[candidate]
                            if sum < nearestDistance {
                              secondDistance = nearestDistance
                              nearestDistance = sum
                              nearest = candidate
                            } else if sum < secondDistance {
                              secondDistance = sum
                            }
                          }
                          if Int(label[i]) != nearest {
                            label[i] = UInt16(truncatingIfNeeded: nearest)
                            changed = true
                          }
                          if bounded {
                            bounds[2 * i] = LloydIterations.roundedUp(nearestDistance.squareRoot())
                            bounds[2 * i + 1] = LloydIterations.roundedDown(secondDistance.squareRoot())
                          }
                          cluster = nearest
                          own = nearestDistance
                        }
                        if accumulate {
                          count[cluster] &+= 1
                          LloydIterations.add(xs, row, to: sum, cluster &* d, d)
                        }
                        if inertia {
                          if own < 0 { own = LloydIterations.squaredDistance(xs, row, cs, cluster * d, d) }
                          total += own
                        }
                      }
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
    return (changed, total)
  }

  /// Moves each centroid to the mean of its rows, from the sums of the last ``assign(_:accumulate:inertia:)`` with
  /// `accumulate` (an empty cluster takes the row farthest from its centroid, not already taken, from a cluster of
  /// more than one row); returns the total squared distance the centroids moved.
  mutating func update(_ centroids: inout FeatureMatrix) -> Double {
    let n = data.rowCount
    let d = data.columnCount
    let k = clusterCount
    var taken: Set<Int> = []
    for cluster in 0..<k where counts[cluster] == 0 {
      // The row farthest from its own centroid, not already taken by another empty cluster.
      var farthest = -1
      var farthestDistance = -1.0
      for i in 0..<n where !taken.contains(i) && counts[Int(labels[i])] > 1 {
        let distance = data.squaredDistance(i, to: centroids, row: Int(labels[i]))
        if distance > farthestDistance {
          farthestDistance = distance
          farthest = i
        }
      }
      guard farthest >= 0 else { continue }
      taken.insert(farthest)
      let from = Int(labels[farthest])
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

  /// The squared distances from row `aStart` of `a` to every centre of `transposed` (`d` features, `padded`
  /// centres, a multiple of 4), into `out[0..<padded]`.
  ///
  /// Four centres per vector, eight at a time where there are, each lane summing (x_j − c_j)² over j in order,
  /// exactly as ``squaredDistance(_:_:_:_:_:)``.
  @inline(__always)
  static func distances(
    _ a: UnsafeBufferPointer<Double>, _ aStart: Int, _ transposed: UnsafeBufferPointer<Double>, _ d: Int,
    _ padded: Int, _ out: UnsafeMutableBufferPointer<Double>
  ) {
    let c = UnsafeRawBufferPointer(transposed)
    let target = UnsafeMutableRawBufferPointer(out)
    let width = MemoryLayout<Double>.stride
    let stride = padded * width
    var block = 0
    while block + 8 <= padded {
      var first = SIMD4<Double>()
      var second = SIMD4<Double>()
      var offset = block * width
      for j in 0..<d {
        let value = SIMD4<Double>(repeating: a[aStart + j])
        let t0 = value - c.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
        let t1 = value - c.loadUnaligned(fromByteOffset: offset + 4 * width, as: SIMD4<Double>.self)
        first += t0 * t0
        second += t1 * t1
        offset += stride
      }
      target.storeBytes(of: first, toByteOffset: block * width, as: SIMD4<Double>.self)
      target.storeBytes(of: second, toByteOffset: (block + 4) * width, as: SIMD4<Double>.self)
      block += 8
    }
    if block < padded {
      var first = SIMD4<Double>()
      var offset = block * width
      for j in 0..<d {
        let t0 =
          SIMD4<Double>(repeating: a[aStart + j]) - c.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
        first += t0 * t0
        offset += stride
      }
      target.storeBytes(of: first, toByteOffset: block * width, as: SIMD4<Double>.self)
    }
  }

  /// Adds row `aStart` of `a` (`d` values) to `sums[sumsStart...]`, two values per vector (each lane its own sum,
  /// as the one-value-at-a-time loop).
  @inline(__always)
  static func add(
    _ a: UnsafeBufferPointer<Double>, _ aStart: Int, to sums: UnsafeMutableBufferPointer<Double>, _ sumsStart: Int,
    _ d: Int
  ) {
    let source = UnsafeRawBufferPointer(a)
    let target = UnsafeMutableRawBufferPointer(sums)
    let width = MemoryLayout<Double>.stride
    var j = 0
    while j &+ 2 <= d {
      let from = (aStart &+ j) &* width
      let to = (sumsStart &+ j) &* width
      let value = source.loadUnaligned(fromByteOffset: from, as: SIMD2<Double>.self)
      let sum = target.loadUnaligned(fromByteOffset: to, as: SIMD2<Double>.self)
      target.storeBytes(of: sum + value, toByteOffset: to, as: SIMD2<Double>.self)
      j &+= 2
    }
    if j < d { sums[sumsStart &+ j] += a[aStart &+ j] }
  }

  /// The nearest `Float` at or above `x` (an upper bound stays an upper bound).
  @inline(__always)
  static func roundedUp(_ x: Double) -> Float {
    let f = Float(x)
    return Double(f) < x ? f.nextUp : f
  }

  /// The nearest `Float` at or below `x`.
  @inline(__always)
  static func roundedDown(_ x: Double) -> Float {
    let f = Float(x)
    return Double(f) > x ? f.nextDown : f
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

/// n × 8 bytes shared by the two phases of a restart, which never overlap.
///
/// k-means++ seeding keeps each row's squared distance to its nearest chosen centre (a `Double`), Lloyd's
/// iterations each row's two bounds (`Float`s); the memory is bound to the phase's type when the phase starts.
final class RowScratch {
  private let raw: UnsafeMutableRawPointer
  let rowCount: Int

  init(rowCount: Int) {
    self.rowCount = rowCount
    raw = .allocate(byteCount: max(rowCount, 1) * 8, alignment: 16)
  }

  deinit { raw.deallocate() }

  /// The seeding phase's view: one `Double` per row.
  func distances() -> UnsafeMutableBufferPointer<Double> {
    UnsafeMutableBufferPointer(start: raw.bindMemory(to: Double.self, capacity: rowCount), count: rowCount)
  }

  /// The Lloyd phase's view: row i's upper bound at 2i, its lower bound at 2i + 1.
  func bounds() -> UnsafeMutableBufferPointer<Float> {
    UnsafeMutableBufferPointer(start: raw.bindMemory(to: Float.self, capacity: 2 * rowCount), count: 2 * rowCount)
  }
}
