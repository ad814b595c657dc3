import Foundation

extension RandomEffectsModel {
  /// The prior of the between-segment spread τ in the calibrated intervals (μ's prior is always flat).
  public enum TauPrior: Sendable, Hashable {
    /// p(τ) ∝ 1 on τ ≥ 0 (Gelman 2006): what `strata analyze` uses.
    case flat
    /// p(τ) ∝ exp(−τ² / (2 scale²)) on τ ≥ 0: proper, so a simulation can draw τ from it and check that the
    /// intervals cover at exactly the nominal rate on average (`PoolingSimulation.tauPriorScale`).
    case halfNormal(scale: Double)

    /// log p(τ) up to a constant.
    func logDensity(_ tau: Double) -> Double {
      switch self {
      case .flat: return 0
      case .halfNormal(let scale): return -tau * tau / (2 * scale * scale)
      }
    }
  }

  /// The most segments for which `calibratedIntervals` is computed.
  ///
  /// Its cost is O(K · nodes) with at most a few hundred nodes, so this is a guard, not a budget.
  public static let calibratedIntervalSegmentLimit = 10_000

  /// The largest disagreement, at an interval's ends, between the CDF of the quadrature with step h and
  /// with step 2h that is accepted; beyond it the step is halved (the error with step h is then of the order
  /// of its square: the trapezoidal rule converges geometrically here).
  static let calibratedStepTolerance = 1e-10

  /// Segment intervals that account for the uncertainty in τ: the hierarchical-Bayes posterior of each
  /// segment's true effect with flat priors on μ and on τ ≥ 0.
  ///
  /// ```
  /// p(τ | y) ∝ L_R(τ²)                       (the restricted likelihood: μ integrated out under a flat prior)
  /// P(θₖ ≤ x | y) = ∫ p(τ | y) Φ((x − θ̃ₖ(τ)) / sₖ(τ)) dτ
  /// θ̃ₖ(τ) = λₖ yₖ + (1 − λₖ) μ̂(τ),  sₖ(τ)² = λₖ vₖ + (1 − λₖ)² / Σ wⱼ(τ),  λₖ = τ² / (τ² + vₖ)
  /// ```
  /// The interval is the (1 − level)/2 and (1 + level)/2 quantiles of that normal mixture; the same at
  /// `selectionLevel` (1 − α/K) is quoted for a segment chosen among the K
  /// (`RandomEffectsResult.calibratedIntervalAdjustedForSelection(of:at:)`); each
  /// segment's mixture is also summarised for a decision (`CalibratedPosterior`). The BLUP interval
  /// plugs in τ̂² as if it were known, and undercovers when τ̂² is often 0 or small (see `PoolingSimulation`);
  /// averaging over τ restores the coverage once the data show the spread, and over-covers where every
  /// segment has the same effect (99% at τ = 0): on data like those, a small real spread needs the width. Of the
  /// priors measured against each other (docs/analyze.md, Calibration), the flat one on τ (Gelman 2006) has
  /// the best worst case; Morris's closed form (`morrisFit`) does better still from four segments and is what
  /// `calibratedMethod` defaults to, so this one serves three segments. L_R decays like τ^−(K−1), so
  /// the posterior is proper only from three segments on: nil for fewer, and for more than
  /// `calibratedIntervalSegmentLimit`.
  ///
  /// The posterior of τ is the same for every segment, so it is discretised once (`TauPosterior`: the
  /// trapezoidal rule in log τ) and each segment's interval is a pair of quantiles of a normal mixture over
  /// its nodes (safeguarded Newton). The rule with every other node must agree at both ends of every interval
  /// to `calibratedStepTolerance`, or the step is halved (up to 8 times).
  ///
  /// > A. Gelman. "Prior distributions for variance parameters in hierarchical models." *Bayesian Analysis* 1
  /// > (2006). C. N. Morris. "Parametric empirical Bayes inference: theory and applications." *JASA* 78 (1983).
  func calibratedIntervals() throws(StatsError) -> CalibratedSegments? {
    guard estimates.count >= 3, estimates.count <= Self.calibratedIntervalSegmentLimit else { return nil }
    let critical = try Normal.inverseSurvival((1 - confidenceLevel) / 2)
    let adjustedCritical = try Normal.inverseSurvival((1 - selectionLevel) / 2)
    var step: Double? = nil
    for _ in 0...8 {
      let posterior = try TauPosterior(estimates: estimates, variances: variances, prior: tauPrior, step: step)
      var intervals: [ConfidenceInterval] = []
      var adjusted: [ConfidenceInterval] = []
      var posteriors: [CalibratedPosterior] = []
      intervals.reserveCapacity(estimates.count)
      adjusted.reserveCapacity(estimates.count)
      posteriors.reserveCapacity(estimates.count)
      var worst = 0.0
      for (y, v) in zip(estimates, variances) {
        let (interval, gap) = try posterior.interval(
          estimate: y, variance: v, level: confidenceLevel, critical: critical)
        // Every segment's interval at `selectionLevel` must settle too, so they are all computed; kept in
        // the result's `selectionAdjustment`, not in each shrunken estimate.
        let (wider, widerGap) = try posterior.interval(
          estimate: y, variance: v, level: selectionLevel, critical: adjustedCritical)
        intervals.append(interval)
        adjusted.append(wider)
        posteriors.append(posterior.mixture(estimate: y, variance: v).summary())
        worst = max(worst, gap, widerGap)
        if worst > Self.calibratedStepTolerance { break }
      }
      if worst <= Self.calibratedStepTolerance {
        let selection = RandomEffectsResult.SelectionAdjustment(
          level: selectionLevel, critical: adjustedCritical, fit: .hierarchicalBayes(intervals: adjusted))
        return CalibratedSegments(
          method: .hierarchicalBayes, intervals: intervals, selection: selection, posteriors: posteriors)
      }
      step = posterior.step / 2
    }
    throw .numerical(
      routine: "RandomEffectsModel.calibratedIntervals", status: 0,
      message: "the quadrature over the between-segment spread did not settle after halving its step 8 times")
  }
}
