import Foundation

/// The closed form of the mixture sequential probability ratio test (mSPRT) for a normal estimate with
/// known variance and a normal mixing distribution N(0, τ²) on the true difference.
///
/// For an estimate θ̂ (treatment − control) with variance v, the mixture likelihood ratio against
/// H₀: θ = 0 and the always-valid confidence interval at level 1 − α are
/// ```
/// Λ = √(v / (v + τ²)) · exp(θ̂²τ² / (2v(v + τ²)))
/// p = min(1, 1/Λ)
/// θ̂ ± √( v(v + τ²)/τ² · (2 ln(1/α) + ln((v + τ²)/v)) )
/// ```
/// Λ is a nonnegative martingale under H₀ as data accrue, so by Ville's inequality
/// P₀(Λ ever ≥ 1/α) ≤ α: the p-value and the interval stay valid at every look, however many looks
/// are taken and whenever one stops. Two-sided by construction. This is the formula of CLI-CONTRACT.md
/// `calc msprt`, written once here so the one-look calculator and the accumulating
/// `AlwaysValidInference` share it.
///
/// See [Johari et al. 2017], section 4 and appendix (normal mixture), and [Robbins 1970].
///
/// [Johari et al. 2017]: https://doi.org/10.1145/3097983.3097992
///
/// > R. Johari, P. Koomen, L. Pekelis, D. Walsh. "Peeking at A/B tests: why it matters, and what to do
/// > about it." KDD 2017, 1517–1525. H. Robbins. "Statistical methods related to the law of the iterated
/// > logarithm." *Annals of Mathematical Statistics* 41 (1970), 1397–1409.
public enum NormalMixtureSPRT {
  /// ln Λ for estimate θ̂ with variance v > 0 and mixing standard deviation τ > 0 (computed in log form:
  /// Λ overflows a double once θ̂²/v exceeds ~1400).
  public static func logLikelihoodRatio(estimate: Double, variance: Double, mixingStandardDeviation tau: Double)
    -> Double
  {
    precondition(variance > 0 && tau > 0)
    let tau2 = tau * tau
    return 0.5 * log(variance / (variance + tau2))
      + estimate * estimate * tau2 / (2 * variance * (variance + tau2))
  }

  /// The always-valid p-value min(1, 1/Λ).
  public static func pValue(estimate: Double, variance: Double, mixingStandardDeviation tau: Double) -> Double {
    min(1, exp(-logLikelihoodRatio(estimate: estimate, variance: variance, mixingStandardDeviation: tau)))
  }

  /// Half-width of the always-valid (1 − α) confidence interval around θ̂.
  public static func halfWidth(variance: Double, mixingStandardDeviation tau: Double, alpha: Double) -> Double {
    precondition(variance > 0 && tau > 0 && alpha > 0 && alpha < 1)
    let tau2 = tau * tau
    return (variance * (variance + tau2) / tau2 * (2 * log(1 / alpha) + log((variance + tau2) / variance)))
      .squareRoot()
  }
}
