import Foundation

/// Always-valid inference as data accumulate: the mixture SPRT p-value and confidence sequence over a
/// series of looks (cumulative summaries), for continuous or binary metrics.
///
/// At look k, with cumulative estimate θ̂_k and variance v_k (`CumulativeEstimate`), the look's own
/// mSPRT p-value p_k and interval I_k come from `NormalMixtureSPRT`; what is reported is
/// ```
/// running p-value   p*_k = min(p_1, …, p_k)          (never rises)
/// running interval  I*_k = I_1 ∩ … ∩ I_k              (never widens)
/// ```
/// Both are valid simultaneously over all looks (Johari et al. 2017, section 4; Howard et al. 2021 for
/// the intersection of a confidence sequence): reject H₀: θ = 0 at the first look where p*_k ≤ α.
/// Two-sided; the difference is treatment − control.
///
/// τ, the standard deviation of the mixing prior N(0, τ²), sets where the test is most powerful: take it
/// near the effect you plan to detect (the MDE on the same scale as θ̂). The result is valid for any τ.
///
/// > S. R. Howard, A. Ramdas, J. McAuliffe, J. Sekhon. "Time-uniform, nonparametric, nonasymptotic
/// > confidence sequences." *Annals of Statistics* 49 (2021), 1055–1080.
public struct AlwaysValidInference: Sendable, Hashable {
  /// τ > 0, on the scale of the difference (a rate difference for binary metrics).
  public var mixingStandardDeviation: Double
  /// 1 − confidence level of the confidence sequence, and the rejection threshold.
  public var alpha: Double

  /// Validates: τ finite and positive, 0 < α < 1.
  public init(mixingStandardDeviation: Double, alpha: Double = 0.05) throws(StatsError) {
    try StatsError.require(
      mixingStandardDeviation > 0 && mixingStandardDeviation.isFinite, "tau",
      "must be finite and positive, got \(mixingStandardDeviation)")
    try StatsError.require(alpha > 0 && alpha < 1, "alpha", "must be strictly between 0 and 1, got \(alpha)")
    self.mixingStandardDeviation = mixingStandardDeviation
    self.alpha = alpha
  }

  /// The look-by-look results for cumulative estimates in look order (look 1 first).
  public func results(_ looks: [CumulativeEstimate]) -> [AlwaysValidLook] {
    var result: [AlwaysValidLook] = []
    var runningPValue = 1.0
    var runningLower = -Double.infinity
    var runningUpper = Double.infinity
    for (index, look) in looks.enumerated() {
      let logRatio = NormalMixtureSPRT.logLikelihoodRatio(
        estimate: look.estimate, variance: look.variance, mixingStandardDeviation: mixingStandardDeviation)
      let pValue = min(1, exp(-logRatio))
      let halfWidth = NormalMixtureSPRT.halfWidth(
        variance: look.variance, mixingStandardDeviation: mixingStandardDeviation, alpha: alpha)
      let interval = ConfidenceInterval(
        lower: look.estimate - halfWidth, upper: look.estimate + halfWidth, confidenceLevel: 1 - alpha)
      runningPValue = min(runningPValue, pValue)
      let lower = max(runningLower, interval.lower)
      let upper = min(runningUpper, interval.upper)
      // An empty intersection is itself an event of probability ≤ α (the sequence missed θ at some
      // look); it is reported, and the running interval restarts from this look's interval.
      let disjoint = lower > upper
      runningLower = disjoint ? interval.lower : lower
      runningUpper = disjoint ? interval.upper : upper
      result.append(
        AlwaysValidLook(
          look: index + 1, estimate: look.estimate, z: look.z, logLikelihoodRatio: logRatio, pValue: pValue,
          runningPValue: runningPValue, interval: interval,
          runningInterval: ConfidenceInterval(lower: runningLower, upper: runningUpper, confidenceLevel: 1 - alpha),
          intervalsDisjoint: disjoint, rejects: runningPValue <= alpha))
    }
    return result
  }
}

/// One look of always-valid inference.
public struct AlwaysValidLook: Sendable, Hashable, Codable {
  /// 1-based look number.
  public var look: Int
  /// θ̂ at this look, treatment − control.
  public var estimate: Double
  /// θ̂/√v at this look (the naive z, shown for reference only).
  public var z: Double
  /// ln Λ at this look.
  public var logLikelihoodRatio: Double
  /// This look's own mSPRT p-value min(1, 1/Λ_k).
  public var pValue: Double
  /// The minimum of the p-values so far: the always-valid p-value to report.
  ///
  /// Never rises.
  public var runningPValue: Double
  /// This look's own always-valid interval.
  public var interval: ConfidenceInterval
  /// The intersection of the intervals so far: the confidence sequence to report.
  ///
  /// Never widens.
  public var runningInterval: ConfidenceInterval
  /// True when this look's interval missed the running intersection (a ≤ α event; the running
  /// interval was restarted from this look's interval).
  public var intervalsDisjoint: Bool
  /// runningPValue ≤ α: H₀ rejected, whatever the number of looks.
  public var rejects: Bool
}
