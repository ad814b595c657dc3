import StrataStats

extension Decision {
  /// The segment where the decision's variant works best, chosen by the shrunken estimates of the
  /// random-effects model across segments (`SegmentPooling`), never by the raw ones.
  ///
  /// The segment with the largest raw lift is usually the luckiest, and its raw estimate overstates what
  /// a rollout there will see; the shrunken estimate is pulled toward the other segments by how little its
  /// own data say. `segmentsCompared` is how many segments the choice was made among (honest selection).
  public struct BestSegment: Sendable, Hashable {
    /// Which interval is quoted, and how it holds its coverage for a segment chosen among several.
    public enum IntervalKind: String, Sendable, Hashable {
      /// Morris's (1983) corrected empirical-Bayes interval around Morris's shrunken centre: four segments or
      /// more.
      case morris
      /// Integrated over τ (hierarchical Bayes, flat priors on μ and τ): three segments.
      case hierarchicalBayes = "hierarchical_bayes"
      /// The segment's raw interval, Bonferroni-adjusted for the segments compared (z at 1 − α/(2K)): two
      /// segments, where no calibrated interval exists and the BLUP interval, which treats τ̂² as known,
      /// covers only 77–80% once the segments truly differ. It covers the chosen segment's true effect at
      /// ≥ the plan's level whatever the spread (all K cover together at that level).
      case rawAdjusted = "raw_adjusted"

      /// The kind of a pooling's calibrated intervals (`nil`: none, so the raw adjusted ones).
      init(_ method: RandomEffectsModel.CalibratedMethod?) {
        switch method {
        case .morris: self = .morris
        case .hierarchicalBayes: self = .hierarchicalBayes
        case nil: self = .rawAdjusted
        }
      }
    }

    public var treatment: String
    public var segment: String
    /// The shrunken estimate (treatment − control, the metric's unit).
    public var estimate: Double
    /// The segment's own (raw) estimate.
    public var raw: Double
    /// The interval quoted (`intervalKind`): around the raw estimate for `rawAdjusted`, else around a
    /// shrunken centre.
    public var lower: Double
    public var upper: Double
    /// The plan's level: what the quoted interval covers the chosen segment's effect at.
    public var level: Double
    /// For `rawAdjusted`, each raw interval's own level, 1 − α/K (Bonferroni over the K segments compared);
    /// nil otherwise.
    public var adjustedLevel: Double?
    public var intervalKind: IntervalKind
    /// Segments the best one was chosen among (those pooled).
    public var segmentsCompared: Int
    /// Segments left out of the pooling (no test could be run there).
    public var segmentsLeftOut: [String]
    /// Posterior chance that the variant beats the control in this segment (under the pooled prior).
    public var chanceToWin: Double

    /// The best segment of `treatment` in `metric`'s partial pooling, nil with fewer than two segments.
    public init?(_ metric: MetricAnalysis, treatment: String, level: Double) {
      guard let pooling = metric.partialPooling.first(where: { $0.treatment == treatment }),
        let best = pooling.best(lowerIsBetter: !metric.metric.higherIsBetter)
      else { return nil }
      // Never the BLUP interval: with no calibrated interval (two segments), the raw one adjusted for the
      // segments compared.
      let interval = best.estimate.calibratedInterval ?? best.rawAdjustedInterval
      self.treatment = treatment
      self.segment = best.segment
      self.estimate = best.estimate.estimate
      self.raw = best.estimate.raw
      self.lower = interval.lower
      self.upper = interval.upper
      self.level = level
      self.intervalKind =
        best.estimate.calibratedInterval == nil ? .rawAdjusted : IntervalKind(pooling.model.calibratedMethod)
      self.adjustedLevel = intervalKind == .rawAdjusted ? interval.confidenceLevel : nil
      self.segmentsCompared = pooling.segments.count
      self.segmentsLeftOut = pooling.segmentsLeftOut
      self.chanceToWin = best.bayesian.chanceToWin
    }
  }
}
