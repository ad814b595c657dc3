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
  ///
  /// Empty in `strata analyze`'s poolings (`SegmentPooling.model`): each estimate is kept once, in its segment
  /// (`SegmentPooling.Segment.estimate`); kept here as well they cost 80–86 MB of peak memory at 10 M rows,
  /// 20,000 segments × 16 variants (96 bytes per segment of each pooling; release build).
  public var shrunken: [ShrunkenEstimate]
  /// How the segments' calibrated intervals were computed; nil when they were not.
  public var calibratedMethod: RandomEffectsModel.CalibratedMethod? = nil
  /// Per segment, in the order of `shrunken`, the posterior behind its calibrated interval summarised for a
  /// decision (chance to beat control, expected losses); empty when there are no calibrated intervals.
  ///
  /// An array beside `shrunken`, not a field of `ShrunkenEstimate`, so that a caller that has used it can
  /// drop it (`SegmentPooling` keeps it only in each segment's `bayesian`): inline in every shrunken
  /// estimate, and so in every copy of one, it cost 91 MB of `analyze`'s peak memory at 20,000 segments ×
  /// 16 variants (733 → 824 MB, debug build).
  public var calibratedPosteriors: [CalibratedPosterior] = []
  /// How many variants the pooled variant was chosen among (`RandomEffectsModel.variantsCompared`): the
  /// intervals adjusted for selection are adjusted for `segments` × this many variant–segment pairs.
  public var variantsCompared: Int = 1
  /// What gives a segment's calibrated interval at `RandomEffectsModel.selectionLevel`
  /// (`calibratedIntervalAdjustedForSelection(of:at:)`); nil when there are no calibrated intervals.
  ///
  /// Only the segment a report names as the best quotes that interval, so it is computed for that one, not
  /// kept in every shrunken estimate (and so in every copy of one), where it cost 43 MB of `analyze`'s peak
  /// memory at 20,000 segments × 16 variants (debug build).
  public var selectionAdjustment: SelectionAdjustment? = nil

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
  /// `RandomEffectsModel.calibratedIntervalSegmentLimit` for the hierarchical-Bayes ones. The same at level
  /// 1 − α/K, for a segment chosen among the K: `RandomEffectsResult.calibratedIntervalAdjustedForSelection(of:at:)`.
  public var calibratedInterval: ConfidenceInterval? = nil
}

/// A segment's calibrated posterior, summarised for a decision: its mean and standard deviation, the
/// chance of each sign and the expected loss of each choice.
///
/// The same distribution as the calibrated interval quoted beside it, so the chance to beat control and
/// the interval cannot disagree (the BLUP's plug-in normal, which ignores the uncertainty in τ, could call
/// a segment a sure win whose calibrated interval reaches well below 0):
/// - Morris's: N(θ̂ₖ, sₖ²), Morris's centre and variance (his approximation of the hierarchical-Bayes
///   posterior's mean and variance);
/// - hierarchical Bayes: the normal mixture over τ (`TauPosterior`), P(θ > 0) = Σⱼ wⱼ Φ(mⱼ/sⱼ) and
///   E[max(θ, 0)] = Σⱼ wⱼ (mⱼ Φ(mⱼ/sⱼ) + sⱼ φ(mⱼ/sⱼ)), each term the normal closed form of
///   `BayesianSummary`.
public struct CalibratedPosterior: Sendable, Hashable, Codable {
  public var mean: Double
  public var standardDeviation: Double
  /// P(θ > 0) and P(θ < 0), each summed from its own tail (no 1 − x, so tiny tails keep their digits).
  public var above: Double
  public var below: Double
  /// E[max(θ, 0)] and E[max(−θ, 0)].
  public var upside: Double
  public var downside: Double

  /// The normal N(mean, sd²).
  static func normal(mean: Double, standardDeviation sd: Double) throws(StatsError) -> CalibratedPosterior {
    let standardized = mean / sd
    let above = try Normal.cdf(standardized)
    let below = try Normal.cdf(-standardized)
    let density = try Normal.density(standardized)
    return CalibratedPosterior(
      mean: mean, standardDeviation: sd, above: above, below: below,
      upside: max(0, mean * above + sd * density), downside: max(0, -mean * below + sd * density))
  }

  /// The Bayesian summary of a comparison from this posterior (treatment − control), with `credibleInterval`
  /// (the calibrated interval) as its credible interval; for a metric where lower is better "win" means
  /// θ < 0 and the risks swap, as in `BayesianSummary`.
  public func result(lowerIsBetter: Bool, credibleInterval: ConfidenceInterval) -> BayesianResult {
    BayesianResult(
      posteriorMean: mean, posteriorStandardDeviation: standardDeviation, credibleInterval: credibleInterval,
      chanceToWin: lowerIsBetter ? below : above, riskControl: lowerIsBetter ? downside : upside,
      riskTreatment: lowerIsBetter ? upside : downside)
  }
}

extension RandomEffectsResult {
  /// What gives one segment's calibrated interval at `RandomEffectsModel.selectionLevel`: the level, its
  /// normal critical value and the fit the calibrated intervals came from.
  public struct SelectionAdjustment: Sendable, Hashable, Codable {
    /// The fit behind the calibrated intervals, as far as one segment's interval needs it.
    enum Fit: Sendable, Hashable, Codable {
      /// Morris's Â and μ̂ (`RandomEffectsModel.morrisFit`): the rest is the segment's own yₖ and vₖ.
      case morris(tauSquared: Double, mean: Double)
      /// Every segment's interval at `level`: the quadrature over τ computes them all anyway, to choose its
      /// step (`RandomEffectsModel.calibratedIntervals`), and `analyze` uses hierarchical Bayes only with three
      /// segments (Morris's from four).
      case hierarchicalBayes(intervals: [ConfidenceInterval])
    }

    /// 1 − α/(V·K).
    public var level: Double
    /// z at 1 − α/(2VK).
    public var critical: Double
    var fit: Fit
    /// The power of two the Morris fit's τ² and mean are scaled by (`PowerOfTwoScale`; 0 for ordinary data).
    var scaleExponent = 0
  }

  /// This result, fitted on estimates scaled by `scale.down`, in the caller's scale.
  func scaled(by scale: PowerOfTwoScale) -> RandomEffectsResult {
    var result = self
    result.tauSquared = scale.upVariance(tauSquared)
    result.tauSquaredInterval = tauSquaredInterval.map(scale.upVariance)
    result.mean = scale.up(mean)
    result.standardError = scale.up(standardError)
    result.interval = scale.up(interval)
    result.prediction = scale.up(prediction)
    result.shrunken = shrunken.map { segment in
      var segment = segment
      segment.raw = scale.up(segment.raw)
      segment.rawVariance = scale.upVariance(segment.rawVariance)
      segment.estimate = scale.up(segment.estimate)
      segment.standardError = scale.up(segment.standardError)
      segment.interval = scale.up(segment.interval)
      segment.calibratedInterval = segment.calibratedInterval.map(scale.up)
      return segment
    }
    result.calibratedPosteriors = calibratedPosteriors.map { posterior in
      var posterior = posterior
      posterior.mean = scale.up(posterior.mean)
      posterior.standardDeviation = scale.up(posterior.standardDeviation)
      posterior.upside = scale.up(posterior.upside)
      posterior.downside = scale.up(posterior.downside)
      return posterior
    }
    if var selection = selectionAdjustment {
      switch selection.fit {
      case .morris: selection.scaleExponent = scale.exponent  // Â and μ̂ stay in the fit's scale
      case .hierarchicalBayes(let intervals): selection.fit = .hierarchicalBayes(intervals: intervals.map(scale.up))
      }
      result.selectionAdjustment = selection
    }
    return result
  }

  /// The calibrated interval of segment `index` (in the order of `shrunken`) at level 1 − α/K, the one to
  /// quote for a segment chosen among the K pooled; nil exactly when its `calibratedInterval` is (or `index`
  /// is not one of the fit's segments).
  ///
  /// `estimate` is the segment's shrunken estimate: `shrunken[index]`, or the estimate kept elsewhere once
  /// the fit's array has been handed over (`SegmentPooling` keeps each estimate in its segment only and
  /// empties the fit's array). There is deliberately no form that looks it up by index: on an emptied fit it
  /// would have to answer nil, which a caller reads as "no calibrated interval" and quotes the raw one.
  ///
  /// At `RandomEffectsModel.selectionLevel` (Bonferroni over the K segments pooled, times the V variants
  /// compared), for a segment such as the one with the largest shrunken estimate. Computed here, for the one
  /// segment that quotes it, from `selectionAdjustment` (Morris's Â and μ̂) and the segment's raw estimate and
  /// variance, to the same bits the fit would give (hierarchical Bayes keeps the ones it computed).
  ///
  /// The calibrated intervals cover the average segment at ≥ their level but not the segment picked as the
  /// best, whose noise more often pushed it up (Morris's at 95% covers it 87–93% at 12 and 40 segments with a
  /// small spread; docs/analyze.md, Calibration). All K at 1 − α/K cover together at ≥ 1 − α (union bound),
  /// so the chosen one does, whatever rule chose it. Usually narrower than the raw interval adjusted the
  /// same way (0.78 of its width on average at 12 segments, 0.98 at three), not always: wider for a noisy
  /// segment far from the others, and at three segments where the posterior of τ has a heavy tail.
  public func calibratedIntervalAdjustedForSelection(
    of estimate: ShrunkenEstimate, at index: Int
  ) throws(StatsError) -> ConfidenceInterval? {
    guard let adjustment = selectionAdjustment, (0..<segments).contains(index), estimate.calibratedInterval != nil
    else { return nil }
    let scale = PowerOfTwoScale(exponent: adjustment.scaleExponent)
    let y = scale.down(estimate.raw), v = scale.downVariance(estimate.rawVariance)
    switch adjustment.fit {
    case .morris(let tauSquared, let mean):
      let segment = RandomEffectsModel.morrisSegment(
        estimate: y, variance: v, segments: Double(segments), tauSquared: tauSquared, mean: mean)
      let (centre, standardError) = (scale.up(segment.centre), scale.up(segment.standardError))
      return ConfidenceInterval(
        lower: centre - adjustment.critical * standardError, upper: centre + adjustment.critical * standardError,
        confidenceLevel: adjustment.level)
    case .hierarchicalBayes(let intervals):
      return intervals[index]
    }
  }

  /// Each segment's own (raw) interval, Bonferroni-adjusted for the K segments pooled (times the V variants
  /// compared, `variantsCompared`): yₖ ± z·√vₖ with z at 1 − α/(2VK), α = 1 − the model's level, so each
  /// interval is at level 1 − α/(VK) (the `confidenceLevel` of each returned interval).
  ///
  /// Together the V × K intervals of every variant's segments cover every true effect at ≥ 1 − α whatever
  /// the spread τ between segments (Bonferroni), so the one of a segment picked from them (by any rule: the
  /// best variant's largest shrunken estimate included) covers its effect at ≥ 1 − α too: the interval to
  /// quote for a chosen segment when no calibrated interval exists (two segments, where the BLUP interval
  /// covers only 77–80% once the segments truly differ; docs/analyze.md, Calibration).
  public func rawIntervalsAdjustedForSelection() throws(StatsError) -> [ConfidenceInterval] {
    let (critical, level) = try rawSelectionCritical()
    return shrunken.map { Self.rawInterval($0, critical: critical, level: level) }
  }

  /// Segment `index`'s interval of `rawIntervalsAdjustedForSelection()`, computed for that one alone from its
  /// shrunken estimate `estimate` (`shrunken[index]`, or the estimate kept outside an emptied `shrunken`).
  public func rawIntervalAdjustedForSelection(of estimate: ShrunkenEstimate) throws(StatsError) -> ConfidenceInterval {
    let (critical, level) = try rawSelectionCritical()
    return Self.rawInterval(estimate, critical: critical, level: level)
  }

  /// z at 1 − α/(2VK) and the level 1 − α/(VK) of the raw intervals adjusted for selection.
  private func rawSelectionCritical() throws(StatsError) -> (critical: Double, level: Double) {
    let alpha = 1 - interval.confidenceLevel
    let comparisons = Double(segments * variantsCompared)
    return (try Normal.inverseSurvival(alpha / (2 * comparisons)), 1 - alpha / comparisons)
  }

  private static func rawInterval(_ segment: ShrunkenEstimate, critical: Double, level: Double) -> ConfidenceInterval {
    let half = critical * segment.rawVariance.squareRoot()
    return ConfidenceInterval(lower: segment.raw - half, upper: segment.raw + half, confidenceLevel: level)
  }
}
