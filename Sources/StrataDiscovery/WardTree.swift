/// Ward's tree of the clustered units (or of a seeded sample of ``DiscoveryOptions/wardSampleSize`` of them), cut at
/// any k; units outside the sample join the nearest mean of the sample's clusters.
struct WardTree {
  let data: FeatureMatrix
  let sample: [Int]?
  let merges: [WardClustering.Merge]

  /// Units the tree was built on.
  var rowCount: Int { sample?.count ?? data.rowCount }

  init(_ data: FeatureMatrix, seed: UInt64, sampleSize: Int) throws(DiscoveryError) {
    self.data = data
    sample = try SegmentDiscovery.sampleRows(count: data.rowCount, size: sampleSize, seed: seed)
    merges = WardClustering.linkage(sample.map { data.rows($0) } ?? data)
  }

  func labels(clusterCount k: Int) -> [Int] {
    let treeLabels = WardClustering.labels(merges, count: rowCount, clusterCount: k)
    guard let sample else { return treeLabels }
    let means = ClusterQuality.clusterMeans(data.rows(sample), labels: treeLabels, clusterCount: k).centroids
    var labels = [Int](repeating: 0, count: data.rowCount)
    for row in 0..<data.rowCount {
      var nearest = 0
      var nearestDistance = Double.infinity
      for cluster in 0..<k {
        let distance = data.squaredDistance(row, to: means, row: cluster)
        if distance < nearestDistance {
          nearestDistance = distance
          nearest = cluster
        }
      }
      labels[row] = nearest
    }
    for (position, row) in sample.enumerated() { labels[row] = treeLabels[position] }
    return labels
  }
}
