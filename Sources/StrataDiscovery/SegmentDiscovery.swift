import StrataStats

/// Finds segments in the discovery half of an audience: split, scale, cluster for every k, score, choose.
///
/// Steps, in order:
/// 1. the honest split (``HonestSplit``): only discovery-half units are read further;
/// 2. missing values: `impute` keeps every unit (a missing number is the feature's centre, a missing category
///    matches every level), `drop` leaves out units with a missing feature;
/// 3. scaling (``FeatureScaling``) from the discovery half's present values;
/// 4. for every k, the grouping (``ClusteringMethod``: k-means, or k-prototypes with categorical features, seeded
///    with ``DiscoveryOptions/seed(clusterCount:)``; or Ward's tree cut at k), the silhouette over the clustered
///    units or a seeded sample of ``DiscoveryOptions/silhouetteSampleSize`` (the same sample for every k), the
///    Davies–Bouldin index over all of them, and whether the smallest segment reaches
///    ``DiscoveryOptions/minimumSegmentUnits``. With categorical features both scores use the embedding whose
///    squared Euclidean distances are the k-prototypes dissimilarities (scaled numbers, and one-hot levels times
///    √(γ/2));
/// 5. the chosen k: the highest silhouette among powered candidates (ties: lower Davies–Bouldin, then smaller k).
///    When no k is powered the run fails, naming the largest smallest segment found and the minimum.
///
/// The frozen segments are the nearest-centroid rule of the chosen groups: numeric means and categorical modes.
public enum SegmentDiscovery {
  /// Runs the steps above.
  ///
  /// The numeric values are scaled in place (without a copy when the caller hands the audience over with
  /// `consume`). For an audience read from a regular file the segment means are then taken from the file, read
  /// again (``AudienceReader``), so that the discovery half is held once; an audience built in memory keeps a copy
  /// of its values for them.
  public static func run(_ audience: consuming Audience, options: DiscoveryOptions) throws(DiscoveryError)
    -> DiscoveryResult
  {
    let split = try HonestSplit(salt: options.splitSalt)
    guard !audience.numericNames.isEmpty else {
      throw DiscoveryError(field: "features", message: "give at least 1 numeric feature")
    }
    let d = audience.numericNames.count
    // The discovery half's rows: every row when the reader kept only this split's discovery half (then no list is
    // held), and of those the clustered ones (listed only once one is left out).
    var discovery: [Int]?
    if audience.discoveryOnlySalt != split.salt {
      precondition(audience.units.count == audience.count, "the split needs the unit ids")
      discovery = audience.units.indices.filter { split.half(audience.units[$0]) == .discovery }
    }
    let discoveryCount = discovery?.count ?? audience.count
    var missingCounts = [Int](repeating: 0, count: d)
    var clustered: [Int]?
    var clusteredCount = 0
    audience.numericValues.withUnsafeBufferPointer { values in
      for position in 0..<discoveryCount {
        let index = discovery?[position] ?? position
        var complete = true
        for f in 0..<d where values[index * d + f].isNaN {
          missingCounts[f] += 1
          complete = false
        }
        if options.missing == .drop && complete {
          complete = audience.categorical.allSatisfy { $0[index] != nil }
        }
        if options.missing == .impute || complete {
          clustered?.append(index)
          clusteredCount += 1
        } else if clustered == nil {
          clustered = (0..<position).map { discovery?[$0] ?? $0 }  // every earlier row was kept
        }
      }
    }
    let rows = RowSelection(clustered ?? discovery, count: clusteredCount)
    discovery = nil
    clustered = nil
    let largestK = options.clusterCounts.upperBound
    guard rows.count > largestK else {
      throw DiscoveryError(
        file: audience.file, field: "",
        message: "the discovery half has \(rows.count) usable units, too few for \(largestK) segments "
          + "(the split keeps about half of the \(audience.totalCount) units; give a larger audience or a smaller --k)")
    }
    var scales: [FeatureScale] = []
    for (f, name) in audience.numericNames.enumerated() {
      do {
        scales.append(
          try audience.numericValues.withUnsafeBufferPointer { values throws(DiscoveryError) in
            try options.scaling.scale(count: rows.count, { values[rows[$0] * d + f] }, feature: name)
          })
      } catch {
        throw DiscoveryError(file: audience.file, field: error.field, message: error.message)
      }
    }
    // Scaled in place, row r of the clustered units over row r of the array (rows only move down); `raw` keeps the
    // values as read when they cannot be read again, and then the first write copies them.
    let source = audience.source
    var values = audience.numericValues
    audience.numericValues = []
    let raw = source == nil ? values : []
    values.withUnsafeMutableBufferPointer { v in
      for row in 0..<rows.count {
        let index = rows[row]
        for f in 0..<d { v[row * d + f] = scales[f].scaled(v[index * d + f]) }
      }
    }
    values.removeLast(values.count - rows.count * d)
    let matrix = FeatureMatrix(rowCount: rows.count, columnCount: d, values: values)
    values = []
    let names = audience.numericNames
    let unitColumn = audience.unitColumn
    let featureSums = { (labels: [UInt8], rank: [Int]) throws(DiscoveryError) -> FeatureSums in
      guard let source else { return FeatureSums.of(raw, features: d, rows: rows, labels: labels, rank: rank) }
      return try AudienceReader.featureSums(
        source, numeric: names, unitColumn: unitColumn, rows: rows, labels: labels, rank: rank)
    }
    let pca = try principalComponents(matrix, share: options.varianceShare)
    // The numbers the clustering reads: the scaled features, or their scores on the kept components.
    let numeric = pca.map { $0.scores(matrix) } ?? matrix
    let categorical =
      audience.categoricalNames.isEmpty
      ? nil : CategoricalColumns(names: audience.categoricalNames, columns: audience.categorical, rows: rows.array)
    let gamma = categorical.map { _ in options.gamma ?? KPrototypes.defaultGamma(matrix) }
    let embedded = categorical.map { embedding(numeric, $0, gamma: gamma ?? 0) } ?? numeric
    let sample = try sampleRows(count: rows.count, size: options.silhouetteSampleSize, seed: options.seed)
    let sampleMatrix = sample.map { embedded.rows($0) }
    let ward =
      try options.method == .ward
      ? WardTree(embedded, seed: options.seed, sampleSize: options.wardSampleSize) : nil
    let oneHot = categorical != nil && options.categoricalEncoding == .oneHot

    // Per k: the labels (one byte each, k ≤ 50), the objective, Davies–Bouldin and the sizes; the silhouettes
    // of every k are taken together afterwards, each distance between sampled units computed once.
    var fits: [(k: Int, labels: [UInt8], objective: Double, daviesBouldin: Double, sizes: [Int])] = []
    for k in options.clusterCounts {
      let labels: [UInt8]
      let objective: Double
      if let ward {
        let tree = ward.labels(clusterCount: k)
        objective = withinSumOfSquares(embedded, labels: tree, clusterCount: k)
        labels = tree.map { UInt8($0) }
      } else {
        let generator = try generatorFor(options.seed(clusterCount: k))
        if let categorical, let gamma, !oneHot {
          let fit = try KPrototypes(clusterCount: k, restarts: options.restarts, gamma: gamma).fit(
            numeric, categorical, generator: generator)
          labels = fit.labels.map { UInt8($0) }
          objective = fit.cost
        } else {
          let fit = try KMeans(clusterCount: k, restarts: options.restarts).compactFit(embedded, generator: generator)
          labels = fit.labels.map { UInt8($0) }
          objective = fit.inertia
        }
      }
      let daviesBouldin = try ClusterQuality.daviesBouldin(embedded, labels: labels, clusterCount: k)
      var sizes = [Int](repeating: 0, count: k)
      for label in labels { sizes[Int(label)] += 1 }
      sizes.sort(by: >)
      fits.append((k, labels, objective, daviesBouldin, sizes))
    }
    let silhouettes: [Double]
    if let sample, let sampleMatrix {
      silhouettes = try ClusterQuality.silhouettes(
        sampleMatrix, labelings: fits.map { fit in sample.map { Int(fit.labels[$0]) } }, clusterCounts: fits.map(\.k))
    } else {
      silhouettes = try ClusterQuality.silhouettes(
        embedded, labelings: fits.map { $0.labels.map(Int.init) }, clusterCounts: fits.map(\.k))
    }
    let candidates = zip(fits, silhouettes).map { fit, silhouette in
      ClusterCountCandidate(
        clusterCount: fit.k, inertia: fit.objective, silhouette: silhouette, daviesBouldin: fit.daviesBouldin,
        sizes: fit.sizes, powered: options.minimumSegmentUnits.map { (fit.sizes.last ?? 0) >= $0 } ?? true)
    }
    guard
      let chosen = candidates.filter(\.powered).min(by: { a, b in
        if a.silhouette != b.silhouette { return a.silhouette > b.silhouette }
        if a.daviesBouldin != b.daviesBouldin { return a.daviesBouldin < b.daviesBouldin }
        return a.clusterCount < b.clusterCount
      }), let labels = fits.first(where: { $0.k == chosen.clusterCount })?.labels
    else {
      let best = candidates.max { $0.smallestSegment < $1.smallestSegment }
      throw DiscoveryError(
        field: "min-segment-units",
        message: "no number of segments in \(options.clusterCounts.lowerBound)..\(options.clusterCounts.upperBound) "
          + "gives segments large enough to be powered: the plan needs \(options.minimumSegmentUnits ?? 0) units "
          + "per segment, and the best smallest segment is \(best?.smallestSegment ?? 0) units "
          + "(k = \(best?.clusterCount ?? 0)); try a larger audience, a larger MDE or a smaller --k range")
    }
    let methodName =
      options.method == .ward
      ? "Ward" : (categorical == nil ? "k-means" : oneHot ? "k-means (categorical features one-hot)" : "k-prototypes")
    return try DiscoveryResult.build(
      audience, options: options, discoveryCount: discoveryCount, clustered: rows, matrix: matrix,
      categorical: categorical, missingCounts: missingCounts, scales: scales, candidates: candidates, chosen: chosen,
      labels: labels, gamma: gamma, methodName: methodName, wardUnits: ward?.rowCount,
      silhouetteCount: sample?.count ?? rows.count, principalComponents: pca, featureSums: featureSums)
  }

  /// The principal components of the scaled features when a share of variance is asked for.
  static func principalComponents(_ matrix: FeatureMatrix, share: Double?) throws(DiscoveryError)
    -> PrincipalComponents?
  {
    guard let share else { return nil }
    do {
      return try PrincipalComponents(matrix, share: share)
    } catch {
      throw DiscoveryError(field: "pca", message: "the principal components could not be computed: \(error)")
    }
  }

  /// A GSL generator, its (impossible in practice) allocation failure as a discovery error.
  static func generatorFor(_ seed: UInt64) throws(DiscoveryError) -> SeededGenerator {
    do {
      return try SeededGenerator(seed: seed)
    } catch {
      throw DiscoveryError(field: "seed", message: "\(error)")
    }
  }

  /// A seeded sample of `size` row indices without replacement (partial Fisher–Yates), sorted; nil when every row
  /// fits.
  static func sampleRows(count: Int, size: Int, seed: UInt64) throws(DiscoveryError) -> [Int]? {
    guard count > size else { return nil }
    let generator = try generatorFor(seed)
    var indices = Array(0..<count)
    for i in 0..<size { indices.swapAt(i, i + generator.index(below: count - i)) }
    return indices[0..<size].sorted()
  }

  /// Scaled numbers followed by each categorical feature's levels one-hot, times √(γ/2): squared Euclidean
  /// distances between rows are then exactly the k-prototypes dissimilarities (a missing level is all zeros).
  static func embedding(_ numeric: FeatureMatrix, _ categorical: CategoricalColumns, gamma: Double) -> FeatureMatrix {
    let weight = (gamma / 2).squareRoot()
    let width = numeric.columnCount + categorical.levels.map(\.count).reduce(0, +)
    var values = [Double](repeating: 0, count: numeric.rowCount * width)
    for row in 0..<numeric.rowCount {
      for j in 0..<numeric.columnCount { values[row * width + j] = numeric[row, j] }
      var offset = numeric.columnCount
      for f in 0..<categorical.featureCount {
        let code = categorical[row, f]
        if code >= 0 { values[row * width + offset + code] = weight }
        offset += categorical.levels[f].count
      }
    }
    return FeatureMatrix(rowCount: numeric.rowCount, columnCount: max(width, 1), values: values)
  }

  /// Σ squared distance of each row to its cluster's mean.
  static func withinSumOfSquares(_ data: FeatureMatrix, labels: [Int], clusterCount k: Int) -> Double {
    let means = ClusterQuality.clusterMeans(data, labels: labels, clusterCount: k).centroids
    var sum = 0.0
    for (row, label) in labels.enumerated() { sum += data.squaredDistance(row, to: means, row: label) }
    return sum
  }
}
