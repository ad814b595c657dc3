/// The answer to "how many units do we need?": a fixed-horizon design with one control and
/// `variants − 1` treatments of equal size.
public struct SampleSize: Sendable, Hashable, Codable {
  /// The exact solution n of the power equation (not an integer); the input for sequential designs,
  /// whose maximum size is ⌈n × inflation⌉.
  public var perVariantUnrounded: Double
  /// ⌈perVariantUnrounded⌉: the smallest whole number of units per variant that reaches the power.
  public var perVariant: Int
  /// Number of variants, control included.
  public var variants: Int
  /// variants × perVariant.
  public var total: Int
  /// The absolute effect (treatment − control) the design detects.
  public var effect: Double
  /// The significance level of each comparison with control (alpha Bonferroni-split over variants − 1).
  public var alphaPerComparison: Double

  /// Days of traffic needed at `dailyUnits` eligible units a day: ⌈total / dailyUnits⌉.
  public func days(dailyUnits: Double) throws(StatsError) -> Int {
    try StatsError.require(
      dailyUnits > 0 && dailyUnits.isFinite, "daily units", "must be a positive number of units a day, got \(dailyUnits)")
    let days = (Double(total) / dailyUnits).rounded(.up)
    try StatsError.require(days < 1e15, "daily units", "is too small: the experiment would take \(days) days")
    return Int(days)
  }
}
