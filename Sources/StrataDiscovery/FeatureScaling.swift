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
    try scale(count: values.count, { values[$0] }, feature: feature)
  }

  /// The same for the `count` values `value(0)`, `value(1)`, …, read in that order (for `standard` without
  /// copying them).
  func scale(count: Int, _ value: (Int) -> Double, feature: String) throws(DiscoveryError) -> FeatureScale {
    let present: [Double]
    var presentCount = 0
    var total = 0.0
    if self == .standard {
      present = []
      for index in 0..<count where !value(index).isNaN {
        total += value(index)
        presentCount += 1
      }
    } else {
      present = (0..<count).map(value).filter { !$0.isNaN }
      presentCount = present.count
    }
    guard presentCount > 0 else {
      throw DiscoveryError(field: feature, message: "has no values in the discovery half (every cell is empty)")
    }
    let center: Double
    let spread: Double
    switch self {
    case .standard:
      // The sums of the present values in order, as `reduce(0, +)` over them.
      let mean = total / Double(presentCount)
      var sum = 0.0
      for index in 0..<count where !value(index).isNaN {
        let x = value(index)
        sum += (x - mean) * (x - mean)
      }
      center = mean
      spread = (sum / Double(presentCount)).squareRoot()
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
