/// What `WelchTTest` and `StudentTTest` report.
///
/// `test.statistic` is t (treatment − control).
public struct TTestResult: Sendable, Hashable {
  public var test: TestResult
  /// ν: Welch–Satterthwaite for `WelchTTest`, n_a + n_b − 2 for `StudentTTest`.
  public var degreesOfFreedom: Double
  /// x̄_b − x̄_a.
  public var difference: Double
  /// The t interval for `difference` (open on the untested side when one-sided).
  public var interval: ConfidenceInterval
  /// x̄_b / x̄_a − 1; `nil` when the control mean is 0.
  public var relativeLift: Double?
  /// Delta-method normal interval for `relativeLift`; `nil` with it.
  public var relativeInterval: ConfidenceInterval?

  public init(
    test: TestResult, degreesOfFreedom: Double, difference: Double, interval: ConfidenceInterval,
    relativeLift: Double?, relativeInterval: ConfidenceInterval?
  ) {
    self.test = test
    self.degreesOfFreedom = degreesOfFreedom
    self.difference = difference
    self.interval = interval
    self.relativeLift = relativeLift
    self.relativeInterval = relativeInterval
  }
}

extension TTestResult {
  /// This result, computed on summaries scaled by `scale.down`, in the caller's scale: the difference and its
  /// interval scale back; t, ν, the p-value and the relative lift do not change.
  func scaled(by scale: PowerOfTwoScale) -> TTestResult {
    var result = self
    result.difference = scale.up(difference)
    result.interval = scale.up(interval)
    return result
  }
}

extension SampleSummary {
  /// The summary in the units of a computation scaled by `scale` (exact: a power of two).
  func scaled(_ scale: PowerOfTwoScale) throws(StatsError) -> SampleSummary {
    try SampleSummary(count: count, mean: scale.down(mean), standardDeviation: scale.down(standardDeviation))
  }
}

/// The arithmetic both two-sample t tests share once they have a standard error and degrees of freedom.
enum TwoSampleT {
  /// The power of two a two-sample t test of these arms runs at, or nil for none.
  ///
  /// When the larger standard deviation lies outside 2^±100, both arms are brought to it being in [1, 2), so that
  /// sd², sd²/n and ν's squares neither overflow nor fall into the subnormal range, and the test is the same, bit for
  /// bit, as on the same numbers in ordinary units. Means are scaled alike (their difference is the estimate). A
  /// larger standard deviation that is itself subnormal (below 2.2e-308, fewer digits than a double holds) is left
  /// to `requireStandardError`.
  static func scale(_ control: SampleSummary, _ treatment: SampleSummary) -> PowerOfTwoScale? {
    let largest = Swift.max(control.standardDeviation, treatment.standardDeviation)
    guard largest >= Double.leastNormalMagnitude else { return nil }
    let scale = PowerOfTwoScale(standardError: largest)
    guard !scale.isIdentity else { return nil }
    // A mean far above its spread (1e150 next to sd 1e-150) stays as it is rather than leave SampleSummary's range.
    let mean = Swift.max(abs(control.mean), abs(treatment.mean))
    guard mean.isFinite, abs(Int(mean.exponent) - scale.exponent) < 490 || mean == 0 else { return nil }
    return scale
  }

  /// ν of Welch–Satterthwaite from the variances of two estimates (a = s²ₐ/nₐ, b = s²_b/n_b) and their counts:
  /// (a + b)² / (a²/(nₐ − 1) + b²/(n_b − 1)).
  ///
  /// The squares overflow once a variance passes about 1e154 (standard deviations of about 1e77 and more, which
  /// `SampleSummary` accepts up to 1e150), and lose precision in subnormals or vanish below about 1e-154: ν came
  /// out NaN ("numerical failure") or wrong. ν does not change when both variances are scaled alike, so when the
  /// larger is outside [1e-150, 1e150] (or the direct formula is not finite) both are first scaled by the power
  /// of two that brings the larger to [1, 2) (exact, so ν is the direct formula's at ordinary magnitudes, bit for
  /// bit); inside that range the direct formula's own result.
  static func welchDegreesOfFreedom(_ a: Double, _ na: Double, _ b: Double, _ nb: Double) -> Double {
    let direct = (a + b) * (a + b) / (a * a / (na - 1) + b * b / (nb - 1))
    let scale = Swift.max(a, b)
    guard scale.isFinite, scale > 0, !direct.isFinite || scale > 1e150 || scale < 1e-150 else { return direct }
    let exponent = -Int(scale.exponent)
    let x = PowerOfTwoScale.times(a, powerOfTwo: exponent)
    let y = PowerOfTwoScale.times(b, powerOfTwo: exponent)
    return (x + y) * (x + y) / (x * x / (na - 1) + y * y / (nb - 1))
  }

  /// Both arms need n ≥ 2 (a sample standard deviation) and at least one positive standard deviation.
  static func validate(control: SampleSummary, treatment: SampleSummary) throws(StatsError) {
    try StatsError.require(control.count >= 2, "control.n", "must be at least 2 for a t test, got \(control.count)")
    try StatsError.require(
      treatment.count >= 2, "treatment.n", "must be at least 2 for a t test, got \(treatment.count)")
    try StatsError.require(
      control.standardDeviation > 0 || treatment.standardDeviation > 0, "sd",
      "is 0 in both arms, so the t statistic is undefined (no variation to test against)")
  }

  /// The smallest standard error of a difference the tests compute with, about 3.2e-159: its square (the variance
  /// of the difference), 1e-317, is a subnormal double that still holds six significant digits.
  ///
  /// Not the normal range's edge (a standard error of 1.5e-154): between the two the results keep their printed
  /// digits, and `strata analyze` answered such data before this check, so its outputs stay as they were.
  static let smallestStandardError = (1e-300 * 1e-17).squareRoot()  // 1e-317 as a literal warns (subnormal)

  /// Throws `invalidInput` naming the larger standard deviation when the standard error of the difference is positive
  /// but below ``smallestStandardError``.
  ///
  /// Standard deviations below about 1e-159 (more with many units) have squares, and so a variance of the difference,
  /// that vanish or lose their digits in subnormal doubles: the standard error came out 0 and the t test, the mSPRT
  /// said "numerical failure" (NaN degrees of freedom). Any standard deviation from 1e-140 to 1e150 is clear of it
  /// at any count up to 2⁵³ (1e-280 / 9e15 ≈ 1e-296).
  static func requireStandardError(
    _ standardError: Double, control: SampleSummary, treatment: SampleSummary, test: String
  ) throws(StatsError) {
    guard !(standardError >= smallestStandardError) else { return }
    let larger = control.standardDeviation >= treatment.standardDeviation ? control : treatment
    guard larger.standardDeviation > 0 else { return }
    throw .invalidInput(
      field: larger.standardDeviation == control.standardDeviation ? "control.sd" : "treatment.sd",
      message:
        "\(larger.standardDeviation) is too small for \(test): the variance of the difference (sd²/n) vanishes in "
        + "double precision; give the values in a smaller unit, so that each standard deviation is 0 or at least 1e-140"
    )
  }

  static func result(
    control: SampleSummary, treatment: SampleSummary, standardError: Double, degreesOfFreedom: Double,
    alternative: Alternative, confidenceLevel: Double, normalCritical: Double? = nil
  ) throws(StatsError) -> TTestResult {
    try requireStandardError(standardError, control: control, treatment: treatment, test: "a t test")
    guard standardError > 0, standardError.isFinite, degreesOfFreedom > 0, degreesOfFreedom.isFinite else {
      throw .numerical(
        routine: "TwoSampleT.result", status: 0,
        message:
          "the standard error of the difference (\(standardError)) or its degrees of freedom (\(degreesOfFreedom)) "
          + "is not a positive finite number")
    }
    let difference = treatment.mean - control.mean
    let t = difference / standardError
    let distribution = try StudentT(degreesOfFreedom: degreesOfFreedom)
    let pValue = try alternative.studentPValue(t, distribution)
    // A closure, not the method itself: `distribution.inverseSurvival` as a value is a context allocated and freed
    // on every call (a Welch comparison per segment and treatment).
    let critical = try alternative.criticalValue(confidenceLevel: confidenceLevel) { (p) throws(StatsError) in
      try distribution.inverseSurvival(p)
    }
    let interval = alternative.interval(
      estimate: difference, standardError: standardError, critical: critical, confidenceLevel: confidenceLevel)

    var relativeLift: Double?
    var relativeInterval: ConfidenceInterval?
    if let lift = RelativeLift(
      controlMean: control.mean, controlStandardError: control.standardDeviation / control.count.squareRoot(),
      treatmentMean: treatment.mean,
      treatmentStandardError: treatment.standardDeviation / treatment.count.squareRoot())
    {
      let relativeCritical: Double
      if let normalCritical {
        relativeCritical = normalCritical
      } else {
        relativeCritical = try alternative.criticalValue(
          confidenceLevel: confidenceLevel, upperQuantile: Normal.inverseSurvival)
      }
      relativeLift = lift.estimate
      relativeInterval = alternative.interval(
        estimate: lift.estimate, standardError: lift.standardError, critical: relativeCritical,
        confidenceLevel: confidenceLevel)
    }
    return TTestResult(
      test: TestResult(statistic: t, pValue: pValue, alternative: alternative),
      degreesOfFreedom: degreesOfFreedom, difference: difference, interval: interval,
      relativeLift: relativeLift, relativeInterval: relativeInterval)
  }
}
