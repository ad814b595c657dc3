import StrataStats

extension Decision {
  /// The segment where the decision's variant works best, chosen by the shrunken estimates of the
  /// random-effects model across segments (`SegmentPooling`), never by the raw ones.
  ///
  /// The segment with the largest raw lift is usually the luckiest, and its raw estimate overstates what
  /// a rollout there will see; the shrunken estimate is pulled toward the other segments by how little its
  /// own data say. `segmentsCompared` is how many segments the choice was made among (honest selection).
  public struct BestSegment: Sendable, Hashable {
    /// How the interval accounts for the uncertainty of the between-segment spread τ.
    public enum IntervalKind: String, Sendable, Hashable {
      /// Morris's (1983) corrected empirical-Bayes interval: four segments or more.
      case morris
      /// Integrated over τ (hierarchical Bayes, flat priors on μ and τ): three segments.
      case hierarchicalBayes = "hierarchical_bayes"
      /// The empirical-Bayes (BLUP) interval at the estimated τ̂², which leaves out the uncertainty in τ: two
      /// segments.
      case empiricalBayes = "empirical_bayes"

      /// The kind of a pooling's calibrated intervals (`nil`: none, so the BLUP ones).
      init(_ method: RandomEffectsModel.CalibratedMethod?) {
        switch method {
        case .morris: self = .morris
        case .hierarchicalBayes: self = .hierarchicalBayes
        case nil: self = .empiricalBayes
        }
      }
    }

    public var treatment: String
    public var segment: String
    /// The shrunken estimate (treatment − control, the metric's unit).
    public var estimate: Double
    /// The segment's own (raw) estimate.
    public var raw: Double
    public var lower: Double
    public var upper: Double
    public var level: Double
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
      let interval = best.estimate.calibratedInterval ?? best.estimate.interval
      self.treatment = treatment
      self.segment = best.segment
      self.estimate = best.estimate.estimate
      self.raw = best.estimate.raw
      self.lower = interval.lower
      self.upper = interval.upper
      self.level = level
      self.intervalKind =
        best.estimate.calibratedInterval == nil ? .empiricalBayes : IntervalKind(pooling.model.calibratedMethod)
      self.segmentsCompared = pooling.segments.count
      self.segmentsLeftOut = pooling.segmentsLeftOut
      self.chanceToWin = best.bayesian.chanceToWin
    }
  }
}
