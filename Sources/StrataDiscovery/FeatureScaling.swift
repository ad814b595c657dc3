/// How numeric features are put on one scale before clustering, so that no feature dominates the distances
/// because of its units.
///
/// - `standard`: z-scores, (x − mean) / standard deviation, the population standard deviation (divisor n, as
///   scikit-learn's `StandardScaler`).
/// - `robust`: (x − median) / interquartile range, quartiles by linear interpolation (numpy's default, as
///   scikit-learn's `RobustScaler`); long tails (a few members who check in every day) then pull less.
///
/// Both are computed on the discovery half only, over the values that are present; the centre and scale of
/// every feature are written into the frozen segment rule.
public enum FeatureScaling: String, Sendable, Hashable, CaseIterable {
  case standard, robust

  /// The centre and scale of `values` (missing values, NaN, left out).
  ///
  /// Throws when no value is present or when the scale is 0 (every unit has the same value, or for `robust` the
  /// middle half does): such a feature cannot separate anyone.
  public func scale(_ values: [Double], feature: String) throws(DiscoveryError) -> FeatureScale {
    let present = values.filter { !$0.isNaN }
    guard !present.isEmpty else {
      throw DiscoveryError(field: feature, message: "has no values in the discovery half (every cell is empty)")
    }
    let center: Double
    let spread: Double
    switch self {
    case .standard:
      let mean = present.reduce(0, +) / Double(present.count)
      var sum = 0.0
      for x in present { sum += (x - mean) * (x - mean) }
      center = mean
      spread = (sum / Double(present.count)).squareRoot()
    case .robust:
      let sorted = present.sorted()
      center = FeatureScaling.quantile(sorted, 0.5)
      spread = FeatureScaling.quantile(sorted, 0.75) - FeatureScaling.quantile(sorted, 0.25)
    }
    guard spread > 0 && spread.isFinite && center.isFinite else {
      let what = self == .standard ? "standard deviation" : "interquartile range"
      let hint = self == .robust ? " (try --scaling standard)" : ""
      throw DiscoveryError(
        field: feature, message: "has a \(what) of 0 in the discovery half, so it cannot separate units\(hint)")
    }
    return FeatureScale(name: feature, center: center, scale: spread)
  }

  /// The q-quantile of sorted values by linear interpolation between order statistics (numpy `linear`).
  static func quantile(_ sorted: [Double], _ q: Double) -> Double {
    let position = q * Double(sorted.count - 1)
    let lower = Int(position.rounded(.down))
    let upper = min(lower + 1, sorted.count - 1)
    let fraction = position - Double(lower)
    return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
  }
}

/// A numeric feature's centre and scale: scaled value = (x − center) / scale.
public struct FeatureScale: Sendable, Hashable {
  public let name: String
  public let center: Double
  public let scale: Double

  public init(name: String, center: Double, scale: Double) {
    self.name = name
    self.center = center
    self.scale = scale
  }

  /// The scaled value; a missing value (NaN) is the centre (scaled 0).
  public func scaled(_ x: Double) -> Double { x.isNaN ? 0 : (x - center) / scale }
}
