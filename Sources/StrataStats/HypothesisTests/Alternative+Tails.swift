/// Shared tail arithmetic for tests whose statistic is standard normal or Student t under the null.
///
/// Every statistic here is treatment − control, so `.greater` puts the rejection region in the upper tail.
/// Upper tails come from the distributions' `survival` (GSL `_Q`), lower tails from `cdf` (GSL `_P`), so
/// p-values keep their relative precision far into the tails instead of collapsing to 0 as `1 − P` would.
extension Alternative {
  /// Checks a confidence level and returns it; `field` names the input the way the caller knows it.
  static func validatedConfidenceLevel(_ level: Double, field: String = "confidenceLevel")
    throws(StatsError) -> Double
  {
    try StatsError.require(
      level > 0 && level < 1, field,
      level == 1
        ? "is 1 to double precision: alpha (or alpha split over comparisons and looks) is too small, below about 1e-16"
        : "must be strictly between 0 and 1, got \(level)")
    return level
  }

  /// p-value of a standard normal statistic under this alternative.
  func normalPValue(_ z: Double) throws(StatsError) -> Double {
    switch self {
    case .twoSided: return try Normal.twoSidedPValue(z)
    case .greater: return try Normal.survival(z)
    case .less: return try Normal.cdf(z)
    }
  }

  /// p-value of a Student t statistic under this alternative.
  func studentPValue(_ t: Double, _ distribution: StudentT) throws(StatsError) -> Double {
    switch self {
    case .twoSided: return min(1, 2 * (try distribution.survival(abs(t))))
    case .greater: return try distribution.survival(t)
    case .less: return try distribution.cdf(t)
    }
  }

  /// The critical multiplier for an interval at `confidenceLevel`: the upper α/2 point when two-sided,
  /// the upper α point when one-sided (α = 1 − confidenceLevel).
  func criticalValue(confidenceLevel: Double, upperQuantile: (Double) throws(StatsError) -> Double)
    throws(StatsError) -> Double
  {
    let alpha = 1 - confidenceLevel
    return try upperQuantile(self == .twoSided ? alpha / 2 : alpha)
  }

  /// `estimate ± critical · standardError`, open on the side the alternative does not test:
  /// `.greater` gives (estimate − c·se, +∞), `.less` gives (−∞, estimate + c·se).
  func interval(
    estimate: Double, standardError: Double, critical: Double, confidenceLevel: Double
  ) -> ConfidenceInterval {
    let margin = critical * standardError
    switch self {
    case .twoSided:
      return ConfidenceInterval(lower: estimate - margin, upper: estimate + margin, confidenceLevel: confidenceLevel)
    case .greater:
      return ConfidenceInterval(lower: estimate - margin, upper: .infinity, confidenceLevel: confidenceLevel)
    case .less:
      return ConfidenceInterval(lower: -.infinity, upper: estimate + margin, confidenceLevel: confidenceLevel)
    }
  }
}
