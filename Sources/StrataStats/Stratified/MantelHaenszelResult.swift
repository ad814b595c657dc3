/// What `MantelHaenszelTest` reports.
///
/// Every difference is treatment − control.
public struct MantelHaenszelResult: Sendable, Hashable, Codable {
  /// The common risk difference RD_MH (the headline estimand: percentage points when × 100).
  public var riskDifference: Double
  /// √ of Sato's variance.
  public var standardError: Double
  public var interval: ConfidenceInterval
  /// z = RD_MH / se under the test's alternative.
  public var test: TestResult
  /// The MH common odds ratio; `nil` when it is 0 or infinite (see `notes`).
  public var oddsRatio: Double?
  public var oddsRatioInterval: ConfidenceInterval?
  /// The Cochran–Mantel–Haenszel χ² test of conditional independence (1 df, two-sided).
  public var cochranMantelHaenszel: TestResult
  /// Cochran's Q and I² of the per-stratum risk differences.
  public var heterogeneity: Heterogeneity
  /// The Breslow–Day test of a common odds ratio; `nil` when the odds ratio is not reported.
  public var breslowDay: Heterogeneity?
  public var notes: [String]
}
