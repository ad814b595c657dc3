/// A random-effects model of per-segment effects: the pooled mean, the between-segment variance τ², a
/// prediction interval for a new segment, and the shrunken per-segment estimates (empirical Bayes).
///
/// ```
/// yₖ = μ + uₖ + εₖ,   uₖ ~ N(0, τ²),   εₖ ~ N(0, vₖ)
/// wₖ = 1 / (vₖ + τ̂²),   μ̂ = Σ wₖ yₖ / Σ wₖ,   Var(μ̂) = 1 / Σ wₖ
/// ```
/// Goals, in priority order: (1) agree with R metafor 3.8 (`rma(yi, vi, method = "REML" | "DL")`,
/// `predict()`, `blup()`, `confint()`) to 1e-8; (2) never fail on the edge cases campaigns produce (one
/// segment, identical estimates, τ̂² = 0); (3) stay independent of the metric kind: it takes estimates and
/// their sampling variances, so proportions, means, ratio and CUPED-adjusted lifts all pool the same way.
///
/// - τ² by DerSimonian–Laird (method of moments) or REML (metafor's: Fisher scoring from the Hedges estimate to
///   a maximum of the restricted likelihood, finished by Brent's method, 0 when the likelihood at 0 is higher).
/// - Knapp–Hartung: Var(μ̂) = Σ wₖ(yₖ − μ̂)² / ((K − 1) Σ wₖ) with t on K − 1 degrees of freedom (metafor's
///   `test = "knha"`, no truncation of the scale factor); needs K ≥ 2.
/// - Prediction interval: μ̂ ± c·√(Var(μ̂) + τ̂²), c the same normal or t critical value as the interval.
/// - τ² interval: the Q-profile method, the τ² where the generalised Q statistic meets the χ²_{K−1} quantiles.
/// - BLUPs: θ̃ₖ = λₖ yₖ + (1 − λₖ) μ̂ with λₖ = τ̂² / (τ̂² + vₖ), Var = λₖ vₖ + (1 − λₖ)² Var(μ̂).
///
/// See [DerSimonian & Laird 1986], [Viechtbauer 2005] (REML score, eq. 11),
/// [Viechtbauer 2007] (Q-profile), [Knapp & Hartung 2003] and [Raudenbush 2009] (BLUPs).
///
/// [DerSimonian & Laird 1986]: https://doi.org/10.1016/0197-2456(86)90046-2
/// [Viechtbauer 2005]: https://doi.org/10.3102/10769986030003261
/// [Viechtbauer 2007]: https://doi.org/10.1002/sim.2514
/// [Knapp & Hartung 2003]: https://doi.org/10.1002/sim.1482
/// [Raudenbush 2009]:
/// https://www.russellsage.org/publications/handbook-research-synthesis-and-meta-analysis-second-edition
///
/// > R. DerSimonian, N. Laird. "Meta-analysis in clinical trials." *Controlled Clinical Trials* 7 (1986).
/// > W. Viechtbauer. "Bias and efficiency of meta-analytic variance estimators in the random-effects model."
/// > *J. Educational and Behavioral Statistics* 30 (2005). W. Viechtbauer. "Confidence intervals for the amount
/// > of heterogeneity in meta-analysis." *Statistics in Medicine* 26 (2007). G. Knapp, J. Hartung. "Improved
/// > tests for a random effects meta-regression with a single covariate." *Statistics in Medicine* 22 (2003).
public struct RandomEffectsModel: Sendable, Hashable {
  /// How τ² is estimated.
  public enum Method: String, Sendable, Hashable, CaseIterable, Codable {
    /// DerSimonian–Laird, the method-of-moments estimator (closed form).
    case dersimonianLaird = "DL"
    /// Restricted maximum likelihood (iterative; metafor's default).
    case restrictedMaximumLikelihood = "REML"
  }

  public var estimates: [Double]
  public var variances: [Double]
  public var method: Method
  public var knappHartung: Bool
  public var confidenceLevel: Double
  /// Whether `result()` also computes each segment's calibrated interval, one that accounts for the
  /// uncertainty in τ (by `calibratedMethod`).
  public var calibrated: Bool
  /// The prior of τ behind the calibrated intervals (flat unless a simulation checks them under a proper one).
  public var tauPrior: TauPrior
  /// How the calibrated intervals are computed (`CalibratedMethod`).
  public var calibratedMethod: CalibratedMethod
  /// How many variants the pooled variant was itself chosen among (1: none).
  ///
  /// A segment named as the best of the K pooled, of a variant named as the best of V, is one choice among
  /// V × K variant–segment pairs: the intervals adjusted for selection (`selectionLevel`) are at 1 − α/(V·K).
  public var variantsCompared: Int

  /// - Parameters:
  ///   - estimates: one effect per segment (treatment − control), finite.
  ///   - variances: their sampling variances, positive and finite.
  ///   - method: how τ² is estimated (REML by default, as metafor).
  ///   - knappHartung: t-based inference for μ with the Knapp–Hartung variance (needs two segments or more).
  ///   - confidenceLevel: for every interval of the result.
  ///   - calibrated: also compute the calibrated segment intervals (`ShrunkenEstimate.calibratedInterval`).
  ///   - tauPrior: the prior of τ for the hierarchical-Bayes intervals (flat by default).
  ///   - calibratedMethod: how the calibrated intervals are computed.
  ///   - variantsCompared: how many variants the pooled variant was chosen among (`selectionLevel`).
  /// - Throws: `StatsError.invalidInput` naming the segment or option that is out of range.
  public init(
    estimates: [Double], variances: [Double], method: Method = .restrictedMaximumLikelihood,
    knappHartung: Bool = false, confidenceLevel: Double = 0.95, calibrated: Bool = false, tauPrior: TauPrior = .flat,
    calibratedMethod: CalibratedMethod = .morris, variantsCompared: Int = 1
  ) throws(StatsError) {
    try StatsError.require(!estimates.isEmpty, "segments", "needs at least one segment estimate")
    try StatsError.require(
      estimates.count == variances.count, "segments",
      "needs one variance per estimate (\(estimates.count) estimates, \(variances.count) variances)")
    for (index, (y, v)) in zip(estimates, variances).enumerated() {
      try StatsError.require(y.isFinite, "segment \(index + 1) estimate", "must be finite, got \(y)")
      try StatsError.require(
        v > 0 && v.isFinite, "segment \(index + 1) variance", "must be positive and finite, got \(v)")
    }
    try StatsError.require(
      !knappHartung || estimates.count >= 2, "Knapp–Hartung adjustment",
      "needs at least two segments (it estimates the spread of their effects)")
    _ = try Alternative.validatedConfidenceLevel(confidenceLevel, field: "confidence level")
    try StatsError.require(
      variantsCompared >= 1, "variants compared", "must be at least 1, got \(variantsCompared)")
    self.estimates = estimates
    self.variances = variances
    self.method = method
    self.knappHartung = knappHartung
    self.confidenceLevel = confidenceLevel
    if case .halfNormal(let scale) = tauPrior {
      try StatsError.require(
        scale > 0 && scale.isFinite, "prior of τ", "needs a positive, finite half-normal scale, got \(scale)")
    }
    self.calibrated = calibrated
    self.tauPrior = tauPrior
    self.calibratedMethod = calibratedMethod
    self.variantsCompared = variantsCompared
  }

  /// Fits the model: τ̂², μ̂ with its interval and test, the prediction interval, the τ² interval and BLUPs.
  ///
  /// Estimates and variances of any magnitude fit alike: when the smallest standard error lies outside 2^±100,
  /// the model is fitted on them rescaled by a power of two (`PowerOfTwoScale`, exact) and the result scaled
  /// back, so that 1/(vₖ + τ²), the likelihood and the root finders' brackets stay in the double range.
  /// Where a result itself is beyond it (τ² of standard errors above 2⁵¹², say), the fit fails with
  /// `StatsError.numerical` saying so.
  public func result() throws(StatsError) -> RandomEffectsResult {
    let scale = PowerOfTwoScale(variances: variances)
    guard !scale.isIdentity else {
      do {
        return try fit()
      } catch .numerical(let routine, let status, let message) {
        // Standard errors spanning more than 2^480 are fitted as given (`PowerOfTwoScale.init(variances:)`); where
        // that fails, the span is the reason, not the root finder's words ("problem with user-supplied function").
        guard let span = PowerOfTwoScale.span(variances: variances), span > PowerOfTwoScale.widestSpanRescaled else {
          throw .numerical(routine: routine, status: status, message: message)
        }
        let positive = variances.filter { $0.isFinite && $0 > 0 }
        let smallest = (positive.min() ?? 0).squareRoot(), largest = (positive.max() ?? 0).squareRoot()
        throw .invalidInput(
          field: "segments",
          message:
            "their standard errors span about 2^\(span) (from \(NumberText.general(smallest)) to "
            + "\(NumberText.general(largest))), more than the 2^\(PowerOfTwoScale.widestSpanRescaled) "
            + "one fit in double precision holds (the weights 1/(v + τ²), their squares and cubes leave the "
            + "double range); give the segments' values in one unit, or analyse the extreme segments apart")
      }
    }
    var model = self
    model.estimates = estimates.map(scale.down)
    model.variances = variances.map(scale.downVariance)
    if case .halfNormal(let tauScale) = tauPrior { model.tauPrior = .halfNormal(scale: scale.down(tauScale)) }
    let result = try model.fit().scaled(by: scale)
    guard result.tauSquared.isFinite, result.standardError.isFinite else {
      throw .numerical(
        routine: "RandomEffectsModel.result", status: 0,
        message:
          "the between-segment variance τ² is beyond the double range (above 1.8e308): the segments' estimates "
          + "differ by more than about 1e154; give the values in a larger unit")
    }
    return result
  }

  private func fit() throws(StatsError) -> RandomEffectsResult {
    let count = estimates.count
    let tauSquared = try estimateTauSquared()
    let weights = variances.map { 1 / ($0 + tauSquared) }
    let weightSum = weights.reduce(0, +)
    let mean = zip(weights, estimates).reduce(0) { $0 + $1.0 * $1.1 } / weightSum
    var meanVariance = 1 / weightSum
    var degreesOfFreedom: Double? = nil
    if knappHartung {
      let spread = zip(weights, estimates).reduce(0) { $0 + $1.0 * ($1.1 - mean) * ($1.1 - mean) }
      meanVariance = spread / (Double(count - 1) * weightSum)
      degreesOfFreedom = Double(count - 1)
    }
    let standardError = meanVariance.squareRoot()
    let tail = (1 - confidenceLevel) / 2
    let critical: Double
    let pValue: Double
    let statistic = standardError > 0 ? mean / standardError : (mean == 0 ? 0 : .infinity * mean.sign.factor)
    if let degreesOfFreedom {
      let t = try StudentT(degreesOfFreedom: degreesOfFreedom)
      critical = try t.inverseSurvival(tail)
      pValue = statistic.isFinite ? 2 * (try t.survival(abs(statistic))) : 0
    } else {
      critical = try Normal.inverseSurvival(tail)
      pValue = statistic.isFinite ? try Normal.twoSidedPValue(statistic) : 0
    }
    let interval = ConfidenceInterval(
      lower: mean - critical * standardError, upper: mean + critical * standardError,
      confidenceLevel: confidenceLevel)
    let predictionHalfWidth = critical * (meanVariance + tauSquared).squareRoot()
    let prediction = ConfidenceInterval(
      lower: mean - predictionHalfWidth, upper: mean + predictionHalfWidth, confidenceLevel: confidenceLevel)
    let fixedWeights = variances.map { 1 / $0 }
    let fixedMean = zip(fixedWeights, estimates).reduce(0) { $0 + $1.0 * $1.1 } / fixedWeights.reduce(0, +)
    let heterogeneity = try Heterogeneity.cochranQ(estimates: estimates, variances: variances, pooled: fixedMean)
    var shrunken = zip(estimates, variances).map { (y, v) -> ShrunkenEstimate in
      let reliability = tauSquared / (tauSquared + v)
      let estimate = reliability * y + (1 - reliability) * mean
      let variance = reliability * v + (1 - reliability) * (1 - reliability) * meanVariance
      let halfWidth = critical * variance.squareRoot()
      return ShrunkenEstimate(
        raw: y, rawVariance: v, estimate: estimate, standardError: variance.squareRoot(),
        interval: ConfidenceInterval(
          lower: estimate - halfWidth, upper: estimate + halfWidth, confidenceLevel: confidenceLevel),
        shrinkage: 1 - reliability)
    }
    var calibratedMethodUsed: CalibratedMethod? = nil
    var posteriors: [CalibratedPosterior] = []
    var selection: RandomEffectsResult.SelectionAdjustment? = nil
    if calibrated, let calibrated = try calibratedSegmentIntervals() {
      for index in shrunken.indices {
        shrunken[index].calibratedInterval = calibrated.intervals[index]
      }
      calibratedMethodUsed = calibrated.method
      posteriors = calibrated.posteriors
      selection = calibrated.selection
    }
    return RandomEffectsResult(
      method: method, knappHartung: knappHartung, segments: count, tauSquared: tauSquared,
      tauSquaredInterval: try tauSquaredInterval(), mean: mean, standardError: standardError,
      degreesOfFreedom: degreesOfFreedom, interval: interval,
      test: TestResult(statistic: statistic, pValue: pValue, alternative: .twoSided),
      prediction: prediction, heterogeneity: heterogeneity, shrunken: shrunken,
      calibratedMethod: calibratedMethodUsed, calibratedPosteriors: posteriors, variantsCompared: variantsCompared,
      selectionAdjustment: selection)
  }
}

extension FloatingPointSign {
  fileprivate var factor: Double { self == .minus ? -1 : 1 }
}
