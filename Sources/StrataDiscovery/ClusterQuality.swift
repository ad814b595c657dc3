/// How well separated a clustering is: the mean silhouette (higher is better, in [−1, 1]) and the
/// Davies–Bouldin index (lower is better, ≥ 0), both over Euclidean distances.
///
/// ```
/// silhouette:  a(i) = mean distance from i to the other members of its cluster,
///              b(i) = smallest mean distance from i to the members of another cluster,
///              s(i) = (b(i) − a(i)) / max(a(i), b(i))   (0 for a member of a one-unit cluster),
///              S = mean of s(i)
/// Davies–Bouldin:  sₖ = mean distance of cluster k's members to its mean, Mₖₗ = ‖mean_k − mean_l‖,
///              DB = mean over k of max_{l ≠ k} (sₖ + sₗ) / Mₖₗ
/// ```
/// Both match scikit-learn (`silhouette_score`, `davies_bouldin_score`, checked to 1e-10 on fixtures), including
/// its conventions: DB is 0 when every sₖ or every Mₖₗ is 0, and a pair of coinciding means is skipped.
///
/// > P. J. Rousseeuw. "Silhouettes: a graphical aid to the interpretation and validation of cluster analysis."
/// > *J. Comput. Appl. Math.* 20 (1987), 53–65.
/// > D. L. Davies and D. W. Bouldin. "A cluster separation measure." *IEEE TPAMI* 1 (1979), 224–227.
public enum ClusterQuality {
  /// The mean silhouette of a labelling with labels 0..<`clusterCount`; needs 2 ≤ distinct labels ≤ rows − 1.
  ///
  /// Exact, O(n²·d): call it on a sample for large audiences.
  public static func silhouette(_ data: FeatureMatrix, labels: [Int], clusterCount k: Int) throws(DiscoveryError)
    -> Double
  {
    try silhouettes(data, labelings: [labels], clusterCounts: [k])[0]
  }

  /// The mean silhouette of several labellings of the same rows, each distance computed once for all of them.
  ///
  /// Labelling m has labels 0..<`clusterCounts[m]`. Every labelling's value is bit-identical to ``silhouette(_:labels:clusterCount:)``
  /// on it alone: each row's sums still take the other rows in row order.
  public static func silhouettes(_ data: FeatureMatrix, labelings: [[Int]], clusterCounts: [Int])
    throws(DiscoveryError) -> [Double]
  {
    let n = data.rowCount
    let d = data.columnCount
    precondition(labelings.count == clusterCounts.count, "one cluster count per labelling")
    // Column offsets of each labelling's per-cluster sums within a row of `sums`.
    var offsets: [Int] = []
    var width = 0
    var sizes: [[Int]] = []
    for (labels, k) in zip(labelings, clusterCounts) {
      precondition(labels.count == n, "one label per row")
      var counts = [Int](repeating: 0, count: k)
      for label in labels { counts[label] += 1 }
      let distinct = counts.filter { $0 > 0 }.count
      guard distinct >= 2 && distinct <= n - 1 else {
        throw DiscoveryError(
          field: "k", message: "the silhouette needs 2 to \(n - 1) non-empty clusters, got \(distinct)")
      }
      sizes.append(counts)
      offsets.append(width)
      width += k
    }
    let m = labelings.count
    // columns[i * m + l]: the sums column of row i's cluster in labelling l.
    var columns = [Int](repeating: 0, count: n * m)
    for (l, labels) in labelings.enumerated() {
      for i in 0..<n { columns[i * m + l] = offsets[l] + labels[i] }
    }
    // sums[i * width + offsets[l] + c]: Σ distance from row i to the rows of cluster c in labelling l, taken in row
    // order (each pair is measured once, when its lower row is reached, and added to both rows).
    var sums = [Double](repeating: 0, count: n * width)
    data.values.withUnsafeBufferPointer { xs in
      columns.withUnsafeBufferPointer { column in
        sums.withUnsafeMutableBufferPointer { sum in
          for i in 0..<n {
            let rowI = i * d
            for j in (i + 1)..<n {
              let distance = LloydIterations.squaredDistance(xs, rowI, xs, j * d, d).squareRoot()
              for l in 0..<m {
                sum[i * width + column[j * m + l]] += distance
                sum[j * width + column[i * m + l]] += distance
              }
            }
          }
        }
      }
    }
    var results: [Double] = []
    for (l, labels) in labelings.enumerated() {
      let k = clusterCounts[l]
      var total = 0.0
      for i in 0..<n {
        let own = labels[i]
        guard sizes[l][own] > 1 else { continue }  // s(i) = 0
        let base = i * width + offsets[l]
        let a = sums[base + own] / Double(sizes[l][own] - 1)
        var b = Double.infinity
        for cluster in 0..<k where cluster != own && sizes[l][cluster] > 0 {
          b = min(b, sums[base + cluster] / Double(sizes[l][cluster]))
        }
        let denominator = max(a, b)
        if denominator > 0 { total += (b - a) / denominator }
      }
      results.append(total / Double(n))
    }
    return results
  }

  /// The Davies–Bouldin index of a labelling with labels 0..<`clusterCount` (empty clusters are left out);
  /// needs at least 2 non-empty clusters.
  public static func daviesBouldin<Label: BinaryInteger>(_ data: FeatureMatrix, labels: [Label], clusterCount k: Int)
    throws(DiscoveryError) -> Double
  {
    let n = data.rowCount
    precondition(labels.count == n, "one label per row")
    let means = clusterMeans(data, labels: labels, clusterCount: k)
    let present = (0..<k).filter { means.sizes[$0] > 0 }
    guard present.count >= 2 else {
      throw DiscoveryError(field: "k", message: "the Davies–Bouldin index needs at least 2 non-empty clusters")
    }
    var spread = [Double](repeating: 0, count: k)
    for i in 0..<n {
      let label = Int(labels[i])
      spread[label] += data.squaredDistance(i, to: means.centroids, row: label).squareRoot()
    }
    for cluster in present { spread[cluster] /= Double(means.sizes[cluster]) }
    var separations: [[Double]] = Array(repeating: Array(repeating: 0, count: k), count: k)
    var anySeparated = false
    for a in present {
      for b in present where b != a {
        let distance = means.centroids.squaredDistance(a, to: means.centroids, row: b).squareRoot()
        separations[a][b] = distance
        if distance > 0 { anySeparated = true }
      }
    }
    guard anySeparated && present.contains(where: { spread[$0] > 0 }) else { return 0 }
    var total = 0.0
    for a in present {
      var worst = 0.0
      for b in present where b != a && separations[a][b] > 0 {
        worst = max(worst, (spread[a] + spread[b]) / separations[a][b])
      }
      total += worst
    }
    return total / Double(present.count)
  }

  /// The mean of each cluster's rows and its size.
  public static func clusterMeans<Label: BinaryInteger>(_ data: FeatureMatrix, labels: [Label], clusterCount k: Int)
    -> (centroids: FeatureMatrix, sizes: [Int])
  {
    let d = data.columnCount
    var sums = [Double](repeating: 0, count: k * d)
    var sizes = [Int](repeating: 0, count: k)
    for (i, labelValue) in labels.enumerated() {
      let label = Int(labelValue)
      sizes[label] += 1
      for j in 0..<d { sums[label * d + j] += data.values[i * d + j] }
    }
    for cluster in 0..<k where sizes[cluster] > 0 {
      for j in 0..<d { sums[cluster * d + j] /= Double(sizes[cluster]) }
    }
    return (FeatureMatrix(rowCount: k, columnCount: d, values: sums), sizes)
  }
}
