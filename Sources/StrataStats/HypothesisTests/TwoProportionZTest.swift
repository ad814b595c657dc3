/// The two-proportion z test on conversion counts, with intervals for the absolute and relative lift.
///
/// ```
/// p̂ = (x_a + x_b) / (n_a + n_b)                       pooled rate under H₀: p_a = p_b
/// z = (p_b − p_a) / √(p̂(1 − p̂)(1/n_a + 1/n_b))        pooled z statistic
/// Δ ± q · √(p_a(1 − p_a)/n_a + p_b(1 − p_b)/n_b)      unpooled Wald interval for Δ = p_b − p_a
/// r = p_b / p_a − 1,  Var(r) ≈ v_b/p_a² + p_b²·v_a/p_a⁴,  v = p(1 − p)/n,  r ± q·√Var(r)
/// ```
/// q is the standard normal upper α/2 point (α/2 → α when one-sided, with the interval open on the
/// untested side). Treatment minus control: `.greater` means the treatment converts better.
///
/// `z` and the p-value match `statsmodels.stats.proportion.proportions_ztest([x_b, x_a], [n_b, n_a])`;
/// the absolute interval matches `confint_proportions_2indep(x_b, n_b, x_a, n_a, method="wald")`; the relative
/// interval is the first-order delta method on the ratio (Casella & Berger, *Statistical Inference*, 2nd ed.,
/// §5.5.4), as `strata calc proportions` documents in CLI-CONTRACT.md.
///
/// The test is undefined when both arms have no conversions or both convert fully (p̂ ∈ {0, 1}), and
/// `result()` says so rather than returning NaN. The relative lift is `nil`, with a note, when p_a = 0.
public struct TwoProportionZTest: Sendable, Hashable {
  public var control: BinomialSummary
  public var treatment: BinomialSummary
  public var alternative: Alternative
  public var confidenceLevel: Double

  public init(
    control: BinomialSummary, treatment: BinomialSummary, alternative: Alternative = .twoSided,
    confidenceLevel: Double = 0.95
  ) throws(StatsError) {
    self.control = control
    self.treatment = treatment
    self.alternative = alternative
    self.confidenceLevel = try Alternative.validatedConfidenceLevel(confidenceLevel)
  }

  public func result() throws(StatsError) -> ProportionsResult {
    try result(critical: Self.criticalValue(alternative: alternative, confidenceLevel: confidenceLevel))
  }

  /// The normal critical value of the intervals, which depends only on the alternative and the confidence level:
  /// for callers that run many tests with the same two and pass it to `result(critical:)`.
  public static func criticalValue(alternative: Alternative, confidenceLevel: Double) throws(StatsError) -> Double {
    try alternative.criticalValue(
      confidenceLevel: Alternative.validatedConfidenceLevel(confidenceLevel), upperQuantile: Normal.inverseSurvival)
  }

  /// `result()` with its critical value given: `critical` must be `criticalValue(alternative:confidenceLevel:)`
  /// of this test's alternative and confidence level, so that thousands of segments do not each compute it.
  public func result(critical: Double) throws(StatsError) -> ProportionsResult {
    let pa = control.rate
    let pb = treatment.rate
    let difference = pb - pa
    let pooled = (control.successes + treatment.successes) / (control.trials + treatment.trials)
    guard pooled > 0 && pooled < 1 else {
      throw .invalidInput(
        field: "conversions",
        message:
          "are \(pooled == 0 ? "0 in both arms" : "equal to n in both arms"), so the rates have no variance and the z test is undefined"
      )
    }
    let nullStandardError = (pooled * (1 - pooled) * (1 / control.trials + 1 / treatment.trials)).squareRoot()
    let z = difference / nullStandardError
    let pValue = try alternative.normalPValue(z)

    let controlVarianceOfRate = pa * (1 - pa) / control.trials
    let treatmentVarianceOfRate = pb * (1 - pb) / treatment.trials
    let absoluteInterval = alternative.interval(
      estimate: difference, standardError: (controlVarianceOfRate + treatmentVarianceOfRate).squareRoot(),
      critical: critical, confidenceLevel: confidenceLevel)

    var notes: [String] = []
    if controlVarianceOfRate == 0 && treatmentVarianceOfRate == 0 {
      notes.append(
        "The Wald interval has zero width because both observed rates are 0 or 1; it understates the uncertainty.")
    }
    var relativeLift: Double?
    var relativeInterval: ConfidenceInterval?
    if let lift = RelativeLift(
      controlMean: pa, controlStandardError: controlVarianceOfRate.squareRoot(),
      treatmentMean: pb, treatmentStandardError: treatmentVarianceOfRate.squareRoot())
    {
      relativeLift = lift.estimate
      relativeInterval = alternative.interval(
        estimate: lift.estimate, standardError: lift.standardError, critical: critical,
        confidenceLevel: confidenceLevel)
      if pb == 0 {
        notes.append(
          "The relative interval has zero width because the treatment rate is 0 (the delta method degenerates there).")
      }
    } else {
      notes.append("The relative lift is undefined because the control rate is 0.")
    }
    return ProportionsResult(
      test: TestResult(statistic: z, pValue: pValue, alternative: alternative),
      controlRate: pa, treatmentRate: pb, absoluteLift: difference, absoluteInterval: absoluteInterval,
      relativeLift: relativeLift, relativeInterval: relativeInterval, notes: notes)
  }
}

/// What `TwoProportionZTest` reports.
///
/// `test.statistic` is z (treatment − control).
public struct ProportionsResult: Sendable, Hashable {
  public var test: TestResult
  public var controlRate: Double
  public var treatmentRate: Double
  /// p_b − p_a.
  public var absoluteLift: Double
  /// Unpooled Wald interval for `absoluteLift`.
  public var absoluteInterval: ConfidenceInterval
  /// p_b / p_a − 1; `nil` when the control rate is 0 (see `notes`).
  public var relativeLift: Double?
  /// Delta-method interval for `relativeLift`; `nil` with it.
  public var relativeInterval: ConfidenceInterval?
  /// Sentences explaining any missing value.
  public var notes: [String]

  public init(
    test: TestResult, controlRate: Double, treatmentRate: Double, absoluteLift: Double,
    absoluteInterval: ConfidenceInterval, relativeLift: Double?, relativeInterval: ConfidenceInterval?,
    notes: [String]
  ) {
    self.test = test
    self.controlRate = controlRate
    self.treatmentRate = treatmentRate
    self.absoluteLift = absoluteLift
    self.absoluteInterval = absoluteInterval
    self.relativeLift = relativeLift
    self.relativeInterval = relativeInterval
    self.notes = notes
  }
}
