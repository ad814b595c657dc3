import StrataStats

/// The clustered units projected on the first two principal axes of their scaled numeric features, for the
/// report's scatter plot.
public struct Projection: Sendable, Hashable {
  /// (x, y, segment index) per plotted unit.
  public let points: [(x: Double, y: Double, segment: Int)]
  /// Share of the scaled features' variance along each axis.
  public let varianceShares: [Double]
  /// Units clustered, of which `points.count` are plotted (every ⌈n / limit⌉-th unit, so the sample is fixed).
  public let unitCount: Int

  public static func == (lhs: Projection, rhs: Projection) -> Bool {
    lhs.varianceShares == rhs.varianceShares && lhs.unitCount == rhs.unitCount
      && lhs.points.elementsEqual(rhs.points) { $0.x == $1.x && $0.y == $1.y && $0.segment == $1.segment }
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(varianceShares)
    hasher.combine(points.count)
  }
}

extension DiscoveryResult {
  /// The principal-component projection (GSL SVD of the covariance matrix of the scaled features).
  ///
  /// At most `limit` points. With one numeric feature the second axis is 0.
  public func projection(limit: Int = 2_000) throws(StatsError) -> Projection {
    let data = scaledFeatures
    let n = data.rowCount
    let d = data.columnCount
    let components = try PrincipalComponents(data)
    let means = components.mean
    let axes = components.axes
    let total = components.variances.reduce(0, +)
    let step = max(1, (n + limit - 1) / limit)
    var points: [(x: Double, y: Double, segment: Int)] = []
    for i in stride(from: 0, to: n, by: step) {
      func coordinate(_ axis: Int) -> Double {
        guard axis < d else { return 0 }
        var sum = 0.0
        for j in 0..<d { sum += (data[i, j] - means[j]) * axes[axis][j] }
        return sum
      }
      points.append((coordinate(0), coordinate(1), discoveryLabels[i]))
    }
    let shares = (0..<min(2, d)).map { total > 0 ? components.variances[$0] / total : 0 }
    return Projection(points: points, varianceShares: shares, unitCount: n)
  }
}
