import StrataStats

/// The principal components of the scaled features: the eigenvectors of their covariance matrix (GSL, see
/// ``PrincipalAxes``), largest variance first, and the share of the total variance each explains.
///
/// Clustering on the first m components' scores instead of the scaled features drops the directions with little
/// variance (often noise). m is the smallest count whose cumulative share of the variance exceeds the requested
/// share (scikit-learn's rule for `PCA(n_components=share)`; checked against it on fixtures).
///
/// The frozen rule still measures distances between scaled features (docs/assignment-spec.md 5a), and it places
/// every unit exactly as the clustering in the components does when each centroid is the **back-projection** of
/// its cluster's mean score (``project(_:)``): for a centroid c = μ + P·z in the span of the kept axes P,
/// ‖x − c‖² = ‖Pᵀ(x − μ) − z‖² + ‖(I − PPᵀ)(x − μ)‖², and the second term is the same for every centroid.
public struct PrincipalComponents: Sendable {
  /// Column means of the fitted matrix.
  public let mean: [Double]
  /// Unit eigenvectors of the covariance matrix, largest eigenvalue first (each one's largest entry positive).
  public let axes: [[Double]]
  /// Eigenvalues of the covariance matrix (divisor n − 1), largest first.
  public let variances: [Double]
  /// Each axis's share of the total variance.
  public let varianceRatios: [Double]
  /// The components kept (all of them when no share is given).
  public let count: Int
  /// The share of variance asked for, if any.
  public let requestedShare: Double?

  /// The components of `data`'s rows; with `share`, the fewest whose cumulative variance ratio exceeds it.
  public init(_ data: FeatureMatrix, share: Double? = nil) throws(StatsError) {
    let n = data.rowCount
    let d = data.columnCount
    var means = [Double](repeating: 0, count: d)
    for i in 0..<n { for j in 0..<d { means[j] += data[i, j] } }
    means = means.map { $0 / Double(max(n, 1)) }
    var covariance = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
    for i in 0..<n {
      for a in 0..<d {
        let da = data[i, a] - means[a]
        for b in a..<d { covariance[a][b] += da * (data[i, b] - means[b]) }
      }
    }
    for a in 0..<d {
      for b in a..<d {
        covariance[a][b] /= Double(max(n - 1, 1))
        covariance[b][a] = covariance[a][b]
      }
    }
    let principal = try PrincipalAxes(symmetric: covariance)
    let total = principal.values.reduce(0, +)
    mean = means
    axes = principal.vectors
    variances = principal.values
    let ratios = principal.values.map { total > 0 ? $0 / total : 0 }
    varianceRatios = ratios
    requestedShare = share
    count = share.map { Self.componentCount(ratios: ratios, share: $0) } ?? d
  }

  /// The fewest leading components whose cumulative ratio exceeds `share` (all of them when none does, as
  /// rounding can leave the full sum a hair below 1).
  static func componentCount(ratios: [Double], share: Double) -> Int {
    var cumulative = 0.0
    for (index, ratio) in ratios.enumerated() {
      cumulative += ratio
      if cumulative > share { return index + 1 }
    }
    return max(ratios.count, 1)
  }

  /// The share of the variance the kept components explain.
  public var explainedShare: Double { varianceRatios.prefix(count).reduce(0, +) }

  /// Each row's scores on the kept components: Pᵀ(x − μ), an n × ``count`` matrix.
  public func scores(_ data: FeatureMatrix) -> FeatureMatrix {
    let d = data.columnCount
    var values = [Double](repeating: 0, count: data.rowCount * count)
    for i in 0..<data.rowCount {
      for c in 0..<count {
        var sum = 0.0
        for j in 0..<d { sum += (data[i, j] - mean[j]) * axes[c][j] }
        values[i * count + c] = sum
      }
    }
    return FeatureMatrix(rowCount: data.rowCount, columnCount: count, values: values)
  }

  /// `point` projected on the span of the kept components through the mean: μ + PPᵀ(x − μ).
  ///
  /// The mean of a cluster's scaled rows projected this way is the back-projection of the cluster's mean score.
  public func project(_ point: [Double]) -> [Double] {
    var out = mean
    for c in 0..<count {
      var score = 0.0
      for j in mean.indices { score += (point[j] - mean[j]) * axes[c][j] }
      for j in mean.indices { out[j] += score * axes[c][j] }
    }
    return out
  }
}
