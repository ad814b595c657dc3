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
    let n = data.rowCount
    let d = data.columnCount
    precondition(labels.count == n, "one label per row")
    var sizes = [Int](repeating: 0, count: k)
    for label in labels { sizes[label] += 1 }
    let distinct = sizes.filter { $0 > 0 }.count
    guard distinct >= 2 && distinct <= n - 1 else {
      throw DiscoveryError(
        field: "k", message: "the silhouette needs 2 to \(n - 1) non-empty clusters, got \(distinct)")
    }
    var total = 0.0
    var sums = [Double](repeating: 0, count: k)
    data.values.withUnsafeBufferPointer { x in
      for i in 0..<n {
        for cluster in 0..<k { sums[cluster] = 0 }
        for j in 0..<n where j != i {
          var sum = 0.0
          for f in 0..<d {
            let t = x[i * d + f] - x[j * d + f]
            sum += t * t
          }
          sums[labels[j]] += sum.squareRoot()
        }
        let own = labels[i]
        guard sizes[own] > 1 else { continue }  // s(i) = 0
        let a = sums[own] / Double(sizes[own] - 1)
        var b = Double.infinity
        for cluster in 0..<k where cluster != own && sizes[cluster] > 0 {
          b = min(b, sums[cluster] / Double(sizes[cluster]))
        }
        let denominator = max(a, b)
        if denominator > 0 { total += (b - a) / denominator }
      }
    }
    return total / Double(n)
  }

  /// The Davies–Bouldin index of a labelling with labels 0..<`clusterCount` (empty clusters are left out);
  /// needs at least 2 non-empty clusters.
  public static func daviesBouldin(_ data: FeatureMatrix, labels: [Int], clusterCount k: Int) throws(DiscoveryError)
    -> Double
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
      spread[labels[i]] += data.squaredDistance(i, to: means.centroids, row: labels[i]).squareRoot()
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
  public static func clusterMeans(_ data: FeatureMatrix, labels: [Int], clusterCount k: Int) -> (
    centroids: FeatureMatrix, sizes: [Int]
  ) {
    let d = data.columnCount
    var sums = [Double](repeating: 0, count: k * d)
    var sizes = [Int](repeating: 0, count: k)
    for (i, label) in labels.enumerated() {
      sizes[label] += 1
      for j in 0..<d { sums[label * d + j] += data.values[i * d + j] }
    }
    for cluster in 0..<k where sizes[cluster] > 0 {
      for j in 0..<d { sums[cluster * d + j] /= Double(sizes[cluster]) }
    }
    return (FeatureMatrix(rowCount: k, columnCount: d, values: sums), sizes)
  }
}
