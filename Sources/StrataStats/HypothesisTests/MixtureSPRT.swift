#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Always-valid inference for a difference in means: the mixture sequential probability ratio test (mSPRT)
/// with a normal mixing distribution N(0, τ²) on the difference, evaluated at the current look.
///
/// ```
/// v = s_a²/n_a + s_b²/n_b,   θ̂ = x̄_b − x̄_a
/// Λ = √(v / (v + τ²)) · exp(θ̂² τ² / (2 v (v + τ²)))
/// p = min(1, 1/Λ)
/// interval: θ̂ ± √(v (v + τ²)/τ² · (2 ln(1/α) + ln((v + τ²)/v)))
/// ```
/// α = 1 − confidenceLevel. The p-value stays valid however often it is checked (a p-value process, not a
/// single-look p), so the sequence of running minima may be used to stop early; the interval is the matching
/// confidence sequence. Treatment minus control. Λ is formed in log space, so it is +∞ rather than a crash
/// when θ̂ is many standard errors from 0, and p is then 0. Matches the closed form in CLI-CONTRACT.md
/// `calc msprt` (checked at 50 digits with mpmath). See [Johari et al. 2022], eq. (7)–(8).
///
/// [Johari et al. 2022]: https://doi.org/10.1287/opre.2021.2135
///
/// > R. Johari, P. Koomen, L. Pekelis, D. Walsh. "Always valid inference: continuous monitoring of A/B tests."
/// > *Operations Research* 70 (2022), 1806–1821 (arXiv:1512.04922).
public struct MixtureSPRT: Sendable, Hashable {
  public var control: SampleSummary
  public var treatment: SampleSummary
  /// τ, the standard deviation of the normal mixing distribution on the difference (in the metric's units).
  public var mixingStandardDeviation: Double
  public var confidenceLevel: Double

  /// Validates: 1e-150 ≤ τ ≤ 1e150, at least one positive standard deviation, 0 < confidenceLevel < 1.
  public init(
    control: SampleSummary, treatment: SampleSummary, mixingStandardDeviation tau: Double,
    confidenceLevel: Double = 0.95
  ) throws(StatsError) {
    try StatsError.require(tau.isFinite && tau > 0, "tau", "must be finite and > 0, got \(tau)")
    // τ² must be a finite normal double: beyond 1e154 it overflowed, below 1e-154 it vanished ("numerical failure").
    let range = "use a value from 1e-150 to 1e150 (in the metric's units)"
    try StatsError.require(
      tau <= 1e150, "tau", "\(NumberText.general(tau)) is too large: τ² overflows a double; \(range)")
    try StatsError.require(
      tau >= 1e-150, "tau", "\(NumberText.general(tau)) is too small: τ² vanishes in a double; \(range)")
    try StatsError.require(
      control.standardDeviation > 0 || treatment.standardDeviation > 0, "sd",
      "is 0 in both arms, so the variance of the difference is 0 and the test is undefined")
    self.control = control
    self.treatment = treatment
    self.mixingStandardDeviation = tau
    self.confidenceLevel = try Alternative.validatedConfidenceLevel(confidenceLevel)
  }

  /// The p-value, interval and Λ at this look, from the closed form in ``NormalMixtureSPRT``.
  public func result() throws(StatsError) -> AlwaysValidResult {
    let v = control.variance / control.count + treatment.variance / treatment.count
    try TwoSampleT.requireStandardError(v.squareRoot(), control: control, treatment: treatment, test: "the mSPRT")
    let tau2 = mixingStandardDeviation * mixingStandardDeviation
    guard v > 0, v.isFinite, tau2 > 0, tau2.isFinite else {
      throw .numerical(
        routine: "MixtureSPRT.result", status: 0, message: "variance \(v) or τ² \(tau2) is not positive and finite")
    }
    let difference = treatment.mean - control.mean
    let logLikelihoodRatio = NormalMixtureSPRT.logLikelihoodRatio(
      estimate: difference, variance: v, mixingStandardDeviation: mixingStandardDeviation)
    let pValue = min(1, exp(-logLikelihoodRatio))
    let halfWidth = NormalMixtureSPRT.halfWidth(
      variance: v, mixingStandardDeviation: mixingStandardDeviation, alpha: 1 - confidenceLevel)
    guard !logLikelihoodRatio.isNaN, halfWidth.isFinite else {
      throw .numerical(
        routine: "MixtureSPRT.result", status: 0,
        message: "log likelihood ratio \(logLikelihoodRatio) or half-width \(halfWidth) is not finite")
    }
    return AlwaysValidResult(
      pValue: pValue,
      interval: ConfidenceInterval(
        lower: difference - halfWidth, upper: difference + halfWidth, confidenceLevel: confidenceLevel),
      likelihoodRatio: exp(logLikelihoodRatio), difference: difference)
  }
}

/// What `MixtureSPRT` reports at one look.
public struct AlwaysValidResult: Sendable, Hashable {
  /// min(1, 1/Λ): valid at any data-dependent stopping time.
  public var pValue: Double
  /// The always-valid (confidence-sequence) interval for the difference.
  public var interval: ConfidenceInterval
  /// Λ, the mixture likelihood ratio (may be +∞).
  public var likelihoodRatio: Double
  /// x̄_b − x̄_a.
  public var difference: Double

  public init(pValue: Double, interval: ConfidenceInterval, likelihoodRatio: Double, difference: Double) {
    self.pValue = pValue
    self.interval = interval
    self.likelihoodRatio = likelihoodRatio
    self.difference = difference
  }
}
