/// The shape of a metric as a function of one arm's column means, and its first-order (delta-method)
/// linearization.
///
/// Column layout of the arm's `MomentMatrix`: `.mean` reads [y] or, with a covariate, [y, x]; `.ratio`
/// reads [numerator, denominator] or, with a covariate, [numerator, denominator, numerator before,
/// denominator before].
///
/// A ratio metric is R = Σnumerator / Σdenominator = ȳ/d̄ over the arm's units, which stay the unit of
/// randomisation (a unit whose denominator is 0 still counts in n and in both sums). Its influence function
/// is ψ = (y − R·d)/d̄, so the delta method gives
/// ```
/// Var(R) ≈ (s_y² − 2R·s_yd + R²·s_d²) / (n·d̄²)        gradient g = (1/d̄, −R/d̄)
/// ```
/// See [Deng, Knoblich & Lu 2018], §2 and eq. (3).
///
/// [Deng, Knoblich & Lu 2018]: https://doi.org/10.1145/3219819.3219919
///
/// > A. Deng, U. Knoblich, J. Lu. "Applying the Delta Method in Metric Analytics: A Practical Guide with
/// > Novel Ideas." *KDD 2018*, 233–242.
public enum DeltaMetric: String, Sendable, Hashable, Codable, CaseIterable {
  /// The mean of one column (a proportion when the column is 0/1).
  case mean
  /// Σnumerator / Σdenominator.
  case ratio

  /// Columns of the value itself (1 or 2); a covariate adds as many again.
  public var valueColumns: Int { self == .mean ? 1 : 2 }

  /// The value and its gradient over the whole column vector, for the value block starting at `offset`.
  func linearization(_ moments: MomentMatrix, offset: Int) throws(StatsError) -> (value: Double, gradient: [Double]) {
    var gradient = [Double](repeating: 0, count: moments.columnCount)
    switch self {
    case .mean:
      gradient[offset] = 1
      return (moments.means[offset], gradient)
    case .ratio:
      let numerator = moments.means[offset]
      let denominator = moments.means[offset + 1]
      try StatsError.require(
        denominator != 0, offset == 0 ? "denominator" : "covariate denominator",
        "sums to 0 over an arm's \(Int64(moments.count)) units, so the ratio is undefined")
      let ratio = numerator / denominator
      gradient[offset] = 1 / denominator
      gradient[offset + 1] = -ratio / denominator
      return (ratio, gradient)
    }
  }

  /// `DeltaMetric.mean.estimate(_:)` of a one-column arm given by its count, mean and M2 = Σ(y − ȳ)², without
  /// building the `MomentMatrix`: the checks of `MomentMatrix.init` for one column in the same order (so the same
  /// errors) and the same arithmetic (so the same bits).
  ///
  /// A plain metric's post-stratified estimate needs one per segment and variant (60,000 at 20,000 segments × 3
  /// variants), where the matrix's and the gradient's arrays cost several times the estimate.
  public static func meanEstimate(count: Double, mean: Double, m2: Double) throws(StatsError) -> ArmEstimate {
    try StatsError.requireCount(count, "n", minimum: 2)
    try StatsError.require(mean.isFinite, "means", "must be finite, got \([mean])")
    try StatsError.require(
      m2 >= 0 && m2.isFinite, "comoments[0][0]",
      "is a sum of squares and must be finite and non-negative, got \(m2)")
    return checkedMeanEstimate(count: count, mean: mean, m2: m2)
  }

  /// `meanEstimate(count:mean:m2:)`, or nil exactly where it throws, without making its error: for a caller that
  /// only asks whether there is an estimate (the post-stratified estimate leaves out a segment with an arm of fewer
  /// than two units, which at 100,000 rows of 20,000 segments is most of them: 35,549 sentences made and thrown
  /// away, 75 M instructions).
  public static func meanEstimateIfValid(count: Double, mean: Double, m2: Double) -> ArmEstimate? {
    guard StatsError.isCount(count, minimum: 2), mean.isFinite, m2 >= 0 && m2.isFinite else { return nil }
    return checkedMeanEstimate(count: count, mean: mean, m2: m2)
  }

  /// The estimate of `meanEstimate(count:mean:m2:)` once its checks have passed.
  @inline(__always)
  private static func checkedMeanEstimate(count: Double, mean: Double, m2: Double) -> ArmEstimate {
    // `estimate(_:)`: the gradient is (1), and `MomentMatrix.comoment` sums 0 + 1 · M2 · 1.
    let variance = max(0, 0 + 1 * m2 * 1) / (count - 1) / count
    return ArmEstimate(
      count: count, estimate: mean, variance: variance, unadjustedEstimate: mean, unadjustedVariance: variance)
  }

  /// The arm's estimate without any covariate: the value, its delta-method variance and the count.
  ///
  /// A ratio's columns of any magnitude, apart or together: each is rescaled by a power of two (`MomentMatrix.columnExponents`, none within
  /// 2^±100, so ordinary data take the same path bit for bit) and the estimate scaled back exactly; one whose value
  /// or variance is beyond the double range is refused, saying which unit to change.
  public func estimate(_ moments: MomentMatrix) throws(StatsError) -> ArmEstimate {
    try StatsError.require(
      moments.columnCount >= valueColumns, "columns",
      "a \(rawValue) metric needs \(valueColumns) column(s), got \(moments.columnCount)")
    // A mean's estimate and variance (M2/(n − 1)/n) are the same correctly rounded numbers either way, and
    // `meanEstimate(count:mean:m2:)` must give them error for error.
    let exponents = self == .ratio ? MomentMatrix.columnExponents([moments]) : []
    guard exponents.allSatisfy({ $0 == 0 }) else {
      return try unscaledEstimate(moments.rescaled(by: exponents)).scaled(
        by: degree(exponents, offset: 0), metric: self)
    }
    return try unscaledEstimate(moments)
  }

  /// The power of two a value block starting at `offset` scales by when its columns scale by 2^`exponents`: the
  /// mean's own, or the numerator's less the denominator's.
  func degree(_ exponents: [Int], offset: Int) -> Int {
    self == .mean ? exponents[offset] : exponents[offset] - exponents[offset + 1]
  }

  /// What to do when an estimate of this shape is too large or too small for a double.
  func advice(tooLarge: Bool) -> String {
    switch self {
    case .mean: return tooLarge ? "give the values in a larger unit" : "give the values in a smaller unit"
    case .ratio:
      return tooLarge
        ? "give the numerator in a larger unit or the denominator in a smaller one"
        : "give the numerator in a smaller unit or the denominator in a larger one"
    }
  }

  /// `estimate(_:)` on the moments as they are.
  private func unscaledEstimate(_ moments: MomentMatrix) throws(StatsError) -> ArmEstimate {
    let (value, gradient) = try linearization(moments, offset: 0)
    let variance = max(0, moments.comoment(gradient, gradient)) / (moments.count - 1) / moments.count
    return ArmEstimate(
      count: moments.count, estimate: value, variance: variance, unadjustedEstimate: value,
      unadjustedVariance: variance)
  }
}
