extension DiscoveryResult {
  /// The result of the chosen labelling: segments ordered largest first (equal sizes keep the method's order, so
  /// the order is fixed by the data and seed), each with its numeric means (the centroid, back in the features'
  /// own units) and categorical modes.
  static func build(
    _ audience: Audience, options: DiscoveryOptions, discoveryCount: Int, clustered: RowSelection,
    matrix: FeatureMatrix,
    categorical: CategoricalColumns?, missingCounts: [Int], scales: [FeatureScale],
    candidates: [ClusterCountCandidate], chosen: ClusterCountCandidate, labels rawLabels: [UInt8], gamma: Double?,
    methodName: String, wardUnits: Int?, silhouetteCount: Int, principalComponents pca: PrincipalComponents?,
    featureSums: (_ labels: [UInt8], _ rank: [Int]) throws(DiscoveryError) -> FeatureSums
  ) throws(DiscoveryError) -> DiscoveryResult {
    let k = chosen.clusterCount
    let d = scales.count
    let means = ClusterQuality.clusterMeans(matrix, labels: rawLabels, clusterCount: k)
    let order = (0..<k).sorted { means.sizes[$0] != means.sizes[$1] ? means.sizes[$0] > means.sizes[$1] : $0 < $1 }
    var rank = [Int](repeating: 0, count: k)
    for (position, cluster) in order.enumerated() { rank[cluster] = position }
    // Per segment (and, last, for all of them) and numeric feature: the mean over the units with a value, each sum
    // taken in row order, in one pass over the units as read (not scaled).
    let totals = try featureSums(rawLabels, rank)
    let labels = rawLabels.map { rank[Int($0)] }
    let sums = totals.sums
    let counts = totals.counts
    func numericMeans(_ group: Int) -> [Double] {
      (0..<d).map { f in counts[group * d + f] > 0 ? sums[group * d + f] / Double(counts[group * d + f]) : .nan }
    }
    /// Per categorical feature: the most common code among members (ties to the lower code) and its share.
    func modes(_ members: (Int) -> Bool) -> [(code: Int, share: Double)] {
      guard let categorical else { return [] }
      return (0..<categorical.featureCount).map { f in
        var counts = [Int](repeating: 0, count: categorical.levels[f].count)
        for row in 0..<categorical.rowCount where members(row) && categorical[row, f] >= 0 {
          counts[categorical[row, f]] += 1
        }
        let total = counts.reduce(0, +)
        var mode = -1
        var modeCount = 0
        for (code, count) in counts.enumerated() where count > modeCount {
          mode = code
          modeCount = count
        }
        return (mode, total > 0 ? Double(modeCount) / Double(total) : .nan)
      }
    }
    func share(feature f: Int, code: Int) -> Double {
      guard let categorical, code >= 0 else { return .nan }
      var hits = 0
      var total = 0
      for row in 0..<categorical.rowCount where categorical[row, f] >= 0 {
        total += 1
        if categorical[row, f] == code { hits += 1 }
      }
      return total > 0 ? Double(hits) / Double(total) : .nan
    }

    var segments: [DiscoveredSegment] = []
    var overallShares: [[Double]] = []
    // Each segment's centroid in the scaled space: its members' mean, projected on the kept principal components
    // when the clustering read them (the back-projection of the mean score; see PrincipalComponents).
    let scaledCentroids = order.map { cluster in
      let row = means.centroids.row(cluster)
      return pca?.project(row) ?? row
    }
    var modeCodes: [[Int]] = []
    for (position, cluster) in order.enumerated() {
      let segmentModes = modes { labels[$0] == position }
      modeCodes.append(segmentModes.map(\.code))
      segments.append(
        DiscoveredSegment(
          name: "segment_\(position + 1)", size: means.sizes[cluster],
          centroid: (0..<d).map { f in scales[f].center + scaledCentroids[position][f] * scales[f].scale },
          means: numericMeans(position),
          levels: segmentModes.enumerated().map { f, mode in
            mode.code >= 0 ? categorical?.levels[f][mode.code] : nil
          },
          levelShares: segmentModes.map(\.share)))
      overallShares.append(segmentModes.enumerated().map { f, mode in share(feature: f, code: mode.code) })
    }
    return DiscoveryResult(
      options: options, audienceCount: audience.totalCount, discoveryCount: discoveryCount,
      confirmationCount: audience.totalCount - discoveryCount, droppedForMissing: discoveryCount - clustered.count,
      clusteredCount: clustered.count, silhouetteCount: silhouetteCount, missingCounts: missingCounts, scales: scales,
      categoricalNames: categorical?.names ?? [], gamma: gamma, methodName: methodName, wardUnits: wardUnits,
      candidates: candidates, chosen: chosen, segments: segments, overallMeans: numericMeans(k),
      overallLevelShares: overallShares,
      discoveryUnits: audience.units.isEmpty ? [] : (0..<clustered.count).map { audience.units[clustered[$0]] },
      discoveryLabels: labels,
      scaledFeatures: matrix, principalComponents: pca,
      ruleAgreement: agreement(
        matrix, categorical, labels: labels, centroids: scaledCentroids, modes: modeCodes, gamma: gamma ?? 0))
  }

  /// The share of the clustered units that the frozen rule (nearest centroid in the scaled space, γ per
  /// categorical mismatch with the segment's mode, the first segment on ties) places in the segment the
  /// clustering gave them.
  static func agreement(
    _ matrix: FeatureMatrix, _ categorical: CategoricalColumns?, labels: [Int], centroids: [[Double]],
    modes: [[Int]], gamma: Double
  ) -> Double {
    guard matrix.rowCount > 0 else { return 1 }
    var agreeing = 0
    for row in 0..<matrix.rowCount {
      var nearest = 0
      var nearestDistance = Double.infinity
      for (segment, centroid) in centroids.enumerated() {
        var distance = 0.0
        for f in 0..<matrix.columnCount {
          let t = matrix[row, f] - centroid[f]
          distance += t * t
        }
        if let categorical {
          for f in 0..<categorical.featureCount {
            let code = categorical[row, f]
            let mode = modes[segment][f]
            if code >= 0 && mode >= 0 && code != mode { distance += gamma }
          }
        }
        if distance < nearestDistance {
          nearestDistance = distance
          nearest = segment
        }
      }
      if nearest == labels[row] { agreeing += 1 }
    }
    return Double(agreeing) / Double(matrix.rowCount)
  }
}
