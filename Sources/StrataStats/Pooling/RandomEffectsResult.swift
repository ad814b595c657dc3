/// The fitted random-effects model: what a report needs to show raw and shrunken segment effects side by side.
public struct RandomEffectsResult: Sendable, Hashable, Codable {
  public var method: RandomEffectsModel.Method
  public var knappHartung: Bool
  /// Number of segments pooled (K).
  public var segments: Int
  /// τ̂²: the variance of the true effects across segments (0 = one effect fits all).
  public var tauSquared: Double
  /// Q-profile interval for τ²; `nil` with one segment.
  public var tauSquaredInterval: ConfidenceInterval?
  /// μ̂: the average effect over segments like these.
  public var mean: Double
  public var standardError: Double
  /// K − 1 with the Knapp–Hartung adjustment (t inference), otherwise `nil` (normal inference).
  public var degreesOfFreedom: Double?
  public var interval: ConfidenceInterval
  public var test: TestResult
  /// Where the effect of a new segment like these would fall.
  public var prediction: ConfidenceInterval
  /// Cochran's Q and I² around the fixed-effect mean.
  public var heterogeneity: Heterogeneity
  /// The per-segment estimates pulled toward μ̂, in the order of the input.
  public var shrunken: [ShrunkenEstimate]
  /// How the segments' calibrated intervals were computed; nil when they were not.
  public var calibratedMethod: RandomEffectsModel.CalibratedMethod? = nil

  /// τ̂ = √τ̂², the spread of true segment effects in the metric's unit.
  public var tau: Double { tauSquared.squareRoot() }
}

/// One segment's raw estimate and its empirical-Bayes (BLUP) estimate.
public struct ShrunkenEstimate: Sendable, Hashable, Codable {
  /// The segment's own estimate and sampling variance, as given.
  public var raw: Double
  public var rawVariance: Double
  /// The shrunken estimate λ·raw + (1 − λ)·μ̂.
  public var estimate: Double
  public var standardError: Double
  public var interval: ConfidenceInterval
  /// 1 − λ = vₖ / (τ̂² + vₖ): the share of the way toward the pooled mean (0 = none, 1 = all the way).
  public var shrinkage: Double
  /// The interval that also accounts for the uncertainty in τ: the one to quote.
  ///
  /// By the model's `calibratedMethod` (`RandomEffectsResult.calibratedMethod` says which one gave it); nil
  /// unless the model was fitted with `calibrated: true`, with fewer than three segments, and with more than
  /// `RandomEffectsModel.calibratedIntervalSegmentLimit` for the hierarchical-Bayes ones.
  public var calibratedInterval: ConfidenceInterval? = nil
}
