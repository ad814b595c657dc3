import Foundation

/// Treatment versus control on two `ArmEstimate`s (means, ratios, CUPED-adjusted or not): the absolute and
/// relative lift with intervals, the test, and the variance reduction the adjustment achieved.
///
/// ```
/// Δ = m_b − mₐ        se² = V_b + Vₐ        t = Δ/se
/// ν = (Vₐ + V_b)² / (Vₐ²/(nₐ − 1) + V_b²/(n_b − 1))          (Welch–Satterthwaite, `.studentT`)
/// ```
/// The relative lift is m_b/mₐ − 1, with either interval (`RelativeMethod`):
/// - `.deltaMethod` (default, as every other relative interval in Strata): se_rel² = V_b/mₐ² + (m_b/mₐ)²·Vₐ/mₐ²,
///   the interval (m_b/mₐ − 1) ± q·se_rel with the same quantile as Δ (gbstats 0.8.0's relative t test);
/// - `.logScale`: log(m_b/mₐ) ± q_log·√(Vₐ/mₐ² + V_b/m_b²), exponentiated, minus 1, where q_log takes its own
///   Welch degrees of freedom from those two terms (tea-tasting 2.0's `rel_effect_size_ci`); it never goes
///   below −100% but needs both means positive.
///
/// Variance reduction = 1 − (Vₐ + V_b)/(Uₐ + U_b) with U the unadjusted variances; the equivalent extra units
/// (nₐ + n_b)·(U/V − 1) are how many more units the unadjusted analysis would need for the same precision
/// ([Deng et al. 2013], §3.1: the variance falls by the factor 1 − ρ²). Treatment minus control throughout;
/// p-values from GSL's upper tails.
///
/// [Deng et al. 2013]: https://doi.org/10.1145/2433396.2433413
///
/// > A. Deng, Y. Xu, R. Kohavi, T. Walker. "Improving the Sensitivity of Online Controlled Experiments by
/// > Utilizing Pre-Experiment Data." *WSDM 2013*, 123–132.
public struct LiftComparison: Sendable, Hashable {
  public enum Distribution: String, Sendable, Hashable, Codable {
    /// Student t with Welch–Satterthwaite degrees of freedom.
    case studentT = "student-t"
    case normal
  }

  public enum RelativeMethod: String, Sendable, Hashable, Codable {
    case deltaMethod = "delta-method"
    case logScale = "log-scale"
  }

  public var control: ArmEstimate
  public var treatment: ArmEstimate
  public var alternative: Alternative
  public var confidenceLevel: Double
  public var distribution: Distribution
  public var relativeMethod: RelativeMethod

  /// Validates: n ≥ 2 per arm, finite estimates, non-negative variances not both 0.
  public init(
    control: ArmEstimate, treatment: ArmEstimate, alternative: Alternative = .twoSided,
    confidenceLevel: Double = 0.95, distribution: Distribution = .studentT,
    relativeMethod: RelativeMethod = .deltaMethod
  ) throws(StatsError) {
    for (name, arm) in [("control", control), ("treatment", treatment)] {
      try StatsError.require(arm.count >= 2, "\(name).n", "must be at least 2, got \(arm.count)")
      try StatsError.require(arm.estimate.isFinite, "\(name).estimate", "must be finite, got \(arm.estimate)")
      try StatsError.require(
        arm.variance >= 0 && arm.variance.isFinite, "\(name).variance",
        "must be finite and non-negative, got \(arm.variance)")
    }
    try StatsError.require(
      control.variance + treatment.variance > 0, "variance",
      "is 0 in both arms, so the test is undefined (no variation to test against)")
    self.control = control
    self.treatment = treatment
    self.alternative = alternative
    self.confidenceLevel = try Alternative.validatedConfidenceLevel(confidenceLevel)
    self.distribution = distribution
    self.relativeMethod = relativeMethod
  }

  /// The comparison.
  ///
  /// Arms of any magnitude: when the larger standard error lies outside 2^±100 both arms are
  /// rescaled by a power of two (`PowerOfTwoScale`) and the difference, its standard error and interval scaled back,
  /// so that Vₐ + V_b, ν's squares and the statistic neither overflow nor lose digits among the subnormals; the
  /// p-value, ν and the relative lift are then exactly those of the same arms in a unit near 1.
  public func result() throws(StatsError) -> LiftResult {
    let scale = PowerOfTwoScale(standardError: max(control.standardError, treatment.standardError))
    if !scale.isIdentity {
      var inner = self
      inner.control = Self.down(control, scale)
      inner.treatment = Self.down(treatment, scale)
      if inner.control.estimate.isFinite && inner.treatment.estimate.isFinite {
        var result = try inner.unscaledResult()
        result.difference = scale.up(result.difference)
        result.standardError = scale.up(result.standardError)
        result.interval = scale.up(result.interval)
        return result
      }
    }
    return try unscaledResult()
  }

  /// An arm of the caller's scale inside the rescaled computation.
  private static func down(_ arm: ArmEstimate, _ scale: PowerOfTwoScale) -> ArmEstimate {
    ArmEstimate(
      count: arm.count, estimate: scale.down(arm.estimate), variance: scale.downVariance(arm.variance),
      unadjustedEstimate: scale.down(arm.unadjustedEstimate),
      unadjustedVariance: scale.downVariance(arm.unadjustedVariance))
  }

  /// `result()` on the arms as they are.
  private func unscaledResult() throws(StatsError) -> LiftResult {
    let variance = control.variance + treatment.variance
    let standardError = variance.squareRoot()
    let difference = treatment.estimate - control.estimate
    let statistic = difference / standardError
    let degreesOfFreedom = TwoSampleT.welchDegreesOfFreedom(
      control.variance, control.count, treatment.variance, treatment.count)
    let (pValue, critical) = try tails(statistic, degreesOfFreedom: degreesOfFreedom)
    let interval = alternative.interval(
      estimate: difference, standardError: standardError, critical: critical, confidenceLevel: confidenceLevel)

    var relative: RelativeLiftEstimate?
    if control.estimate != 0 {
      relative = try relativeLift(critical: critical)
    }
    let unadjustedVariance = control.unadjustedVariance + treatment.unadjustedVariance
    let reduction = unadjustedVariance > 0 ? 1 - variance / unadjustedVariance : 0
    return LiftResult(
      difference: difference, standardError: standardError,
      degreesOfFreedom: distribution == .studentT ? degreesOfFreedom : nil,
      test: TestResult(statistic: statistic, pValue: pValue, alternative: alternative), interval: interval,
      relative: relative, varianceReduction: reduction,
      equivalentExtraUnits: variance > 0 ? (control.count + treatment.count) * (unadjustedVariance / variance - 1) : 0)
  }

  /// Throws what `result()` would throw, without computing its tails.
  ///
  /// For a caller that only needs to know that the comparison can be made: the post-stratified estimate keeps
  /// a segment's arms when it can, and never reads its p-value or interval. With a finite statistic and, for
  /// `.studentT`, Welch degrees of freedom in [1, 10¹⁵) (they lie between the smaller n − 1 and the sum of
  /// both), GSL's tail and quantile are numbers, so `result()` cannot fail; so too for the log-scale relative
  /// interval's own degrees of freedom (`.logScale` with `.studentT`, both means positive). In any other case
  /// `result()` itself is run.
  public func requireResult() throws(StatsError) {
    let statistic = (treatment.estimate - control.estimate) / (control.variance + treatment.variance).squareRoot()
    switch distribution {
    case .normal:
      if statistic.isFinite { return }
    case .studentT:
      let degreesOfFreedom = TwoSampleT.welchDegreesOfFreedom(
        control.variance, control.count, treatment.variance, treatment.count)
      var usable = statistic.isFinite && degreesOfFreedom >= 1 && degreesOfFreedom < 1e15
      // As `relativeLift(critical:)`: the log scale's interval takes a quantile of its own.
      if usable && relativeMethod == .logScale && control.estimate > 0 && treatment.estimate / control.estimate > 0 {
        let a = control.variance / (control.estimate * control.estimate)
        let b = treatment.variance / (treatment.estimate * treatment.estimate)
        let logDegreesOfFreedom = TwoSampleT.welchDegreesOfFreedom(a, control.count, b, treatment.count)
        usable = logDegreesOfFreedom >= 1 && logDegreesOfFreedom < 1e15
      }
      if usable { return }
    }
    _ = try result()
  }

  private func tails(_ statistic: Double, degreesOfFreedom: Double) throws(StatsError) -> (Double, Double) {
    switch distribution {
    case .normal:
      return (
        try alternative.normalPValue(statistic),
        try alternative.criticalValue(confidenceLevel: confidenceLevel, upperQuantile: Normal.inverseSurvival)
      )
    case .studentT:
      guard degreesOfFreedom > 0, degreesOfFreedom.isFinite else {
        throw .numerical(
          routine: "LiftComparison.result", status: 0,
          message: "the degrees of freedom (\(degreesOfFreedom)) are not a positive finite number")
      }
      let t = try StudentT(degreesOfFreedom: degreesOfFreedom)
      return (
        try alternative.studentPValue(statistic, t),
        try alternative.criticalValue(confidenceLevel: confidenceLevel, upperQuantile: t.inverseSurvival)
      )
    }
  }

  private func relativeLift(critical: Double) throws(StatsError) -> RelativeLiftEstimate? {
    let ratio = treatment.estimate / control.estimate
    switch relativeMethod {
    case .deltaMethod:
      // (se_b/mₐ)² + ((m_b/mₐ)·(seₐ/mₐ))², so that mₐ⁴ cannot overflow or underflow.
      let treatmentTerm = treatment.standardError / control.estimate
      let controlTerm = ratio * (control.standardError / control.estimate)
      let standardError = (treatmentTerm * treatmentTerm + controlTerm * controlTerm).squareRoot()
      return RelativeLiftEstimate(
        estimate: ratio - 1, standardError: standardError, method: relativeMethod,
        interval: alternative.interval(
          estimate: ratio - 1, standardError: standardError, critical: critical, confidenceLevel: confidenceLevel))
    case .logScale:
      guard ratio > 0, control.estimate > 0 else { return nil }
      let a = control.variance / (control.estimate * control.estimate)
      let b = treatment.variance / (treatment.estimate * treatment.estimate)
      let standardError = (a + b).squareRoot()
      let logCritical: Double
      switch distribution {
      case .normal: logCritical = critical
      case .studentT:
        let t = try StudentT(degreesOfFreedom: TwoSampleT.welchDegreesOfFreedom(a, control.count, b, treatment.count))
        logCritical = try alternative.criticalValue(confidenceLevel: confidenceLevel, upperQuantile: t.inverseSurvival)
      }
      let logInterval = alternative.interval(
        estimate: 0, standardError: standardError, critical: logCritical, confidenceLevel: confidenceLevel)
      // ratio·e^(±q·se) − 1; exp(−∞) = 0 gives −1 on an open lower side, exp(+∞) = +∞.
      return RelativeLiftEstimate(
        estimate: ratio - 1, standardError: standardError, method: relativeMethod,
        interval: ConfidenceInterval(
          lower: ratio * Self.exp(logInterval.lower) - 1, upper: ratio * Self.exp(logInterval.upper) - 1,
          confidenceLevel: confidenceLevel))
    }
  }

  private static func exp(_ x: Double) -> Double {
    x == -.infinity ? 0 : x == .infinity ? .infinity : Foundation.exp(x)
  }
}

/// The relative lift m_b/mₐ − 1 and its interval; `standardError` is on the method's own scale (the lift's
/// for the delta method, log(m_b/mₐ)'s for the log scale).
public struct RelativeLiftEstimate: Sendable, Hashable, Codable {
  public var estimate: Double
  public var standardError: Double
  public var method: LiftComparison.RelativeMethod
  public var interval: ConfidenceInterval
}

/// What `LiftComparison` reports.
public struct LiftResult: Sendable, Hashable, Codable {
  /// m_b − mₐ.
  public var difference: Double
  public var standardError: Double
  /// Welch–Satterthwaite ν; `nil` with the normal distribution.
  public var degreesOfFreedom: Double?
  public var test: TestResult
  public var interval: ConfidenceInterval
  /// `nil` when the control estimate is 0 (or, on the log scale, when either estimate is not positive).
  public var relative: RelativeLiftEstimate?
  /// 1 − Var(adjusted Δ)/Var(unadjusted Δ); 0 without a covariate.
  public var varianceReduction: Double
  /// (nₐ + n_b)·(U/V − 1): units the unadjusted analysis would need in addition for the same precision.
  public var equivalentExtraUnits: Double
}
