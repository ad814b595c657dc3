import Foundation

/// A segment's features in plain words, against the audience average: "checkins_90d 3.0× the average (14.2 vs
/// 4.7)".
///
/// For a feature whose values are all non-negative and whose average is positive the comparison is a ratio;
/// within ±15% of the average it reads "about average". Otherwise (negative values, a zero average) it is the
/// difference in units of the feature's scale: "+1.2 scale units above the average".
public enum SegmentProfile {
  /// One phrase per feature of `segment`, numeric features first, in feature order.
  public static func phrases(_ segment: DiscoveredSegment, in result: DiscoveryResult) -> [String] {
    let numeric = result.scales.enumerated().map { f, scale in
      phrase(feature: scale.name, mean: segment.means[f], average: result.overallMeans[f], scale: scale.scale)
    }
    guard let index = result.segments.firstIndex(of: segment) else { return numeric }
    let categorical = result.categoricalNames.enumerated().map { f, name -> String in
      guard let level = segment.levels[f] else { return "\(name): no values" }
      let share = segment.levelShares[f]
      let overall = result.overallLevelShares[index][f]
      return "\(name) mostly \(level) (\(percent(share)) vs \(percent(overall)) overall)"
    }
    return numeric + categorical
  }

  static func percent(_ share: Double) -> String { share.isFinite ? String(format: "%.0f%%", share * 100) : "n/a" }

  /// The phrase for one feature.
  public static func phrase(feature: String, mean: Double, average: Double, scale: Double) -> String {
    guard mean.isFinite && average.isFinite else { return "\(feature): no values" }
    let values = "(\(number(mean)) vs \(number(average)))"
    if average > 0 && mean >= 0 {
      let ratio = mean / average
      if ratio >= 0.87 && ratio <= 1.15 { return "\(feature) about average \(values)" }
      return
        "\(feature) \(ratio < 0.1 ? String(format: "%.2f", ratio) : String(format: "%.1f", ratio))× the average \(values)"
    }
    let difference = (mean - average) / scale
    if abs(difference) < 0.15 { return "\(feature) about average \(values)" }
    let direction = difference > 0 ? "above" : "below"
    return "\(feature) \(String(format: "%.1f", abs(difference))) scale units \(direction) the average \(values)"
  }

  /// A number with 3 significant digits, plain for people.
  static func number(_ x: Double) -> String {
    if x == 0 { return "0" }
    let magnitude = abs(x)
    if magnitude >= 1000 || magnitude < 0.001 { return String(format: "%.3g", x) }
    let decimals = max(0, 2 - Int(log10(magnitude).rounded(.down)))
    return String(format: "%.\(decimals)f", x)
  }
}
