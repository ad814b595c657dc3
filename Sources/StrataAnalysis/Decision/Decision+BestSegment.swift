import StrataStats

extension Decision {
  /// The segment where the decision's variant works best, chosen by the shrunken estimates of the
  /// random-effects model across segments (`SegmentPooling`), never by the raw ones.
  ///
  /// The segment with the largest raw lift is usually the luckiest, and its raw estimate overstates what
  /// a rollout there will see; the shrunken estimate is pulled toward the other segments by how little its
  /// own data say. `segmentsCompared` is how many segments the choice was made among (honest selection).
  public struct BestSegment: Sendable, Hashable {
    /// Which interval is quoted.
    ///
    /// Every kind is adjusted for the K segments compared, times the V variants the decision's variant was
    /// chosen among (Bonferroni: each interval at 1 − α/(V·K), `adjustedLevel`), so that it covers the
    /// chosen segment's true effect at about the plan's level or more whatever rule chose the variant and
    /// the segment: all V·K such intervals cover together at ≥ 1 − α (union bound; for the calibrated
    /// ones, as far as they hold their own level).
    /// The intervals at the plan's level cover the average segment, not the one picked as the best, whose
    /// noise more often pushed it up (Morris's at 95% covers it only 87–93% at 12 and 40 segments with a
    /// small spread; docs/analyze.md, Calibration).
    public enum IntervalKind: String, Sendable, Hashable {
      /// Morris's (1983) corrected empirical-Bayes interval around Morris's shrunken centre, at 1 − α/K:
      /// four segments or more.
      case morrisAdjusted = "morris_adjusted"
      /// Integrated over τ (hierarchical Bayes, flat priors on μ and τ), at 1 − α/K: three segments.
      case hierarchicalBayesAdjusted = "hierarchical_bayes_adjusted"
      /// The segment's raw interval at 1 − α/K (z at 1 − α/(2K)): two segments, where no calibrated
      /// interval exists and the BLUP interval, which treats τ̂² as known, covers only 77–80% once the
      /// segments truly differ.
      case rawAdjusted = "raw_adjusted"

      /// The kind of a pooling's calibrated intervals (`nil`: none, so the raw adjusted ones).
      init(_ method: RandomEffectsModel.CalibratedMethod?) {
        switch method {
        case .morris: self = .morrisAdjusted
        case .hierarchicalBayes: self = .hierarchicalBayesAdjusted
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
    /// shrunken centre; adjusted for the segments compared.
    public var lower: Double
    public var upper: Double
    /// The plan's level: what the quoted interval covers the chosen segment's effect at.
    public var level: Double
    /// The quoted interval's own level, 1 − α/K (Bonferroni over the K segments compared).
    public var adjustedLevel: Double
    public var intervalKind: IntervalKind
    /// Segments the best one was chosen among (those pooled).
    public var segmentsCompared: Int
    /// Variants the decision's variant was chosen among (the plan's treatments); 1 with one treatment.
    public var variantsCompared: Int
    /// Variant–segment pairs the interval is adjusted for: `segmentsCompared` × `variantsCompared`
    /// (`adjustedLevel` = 1 − α/this).
    public var adjustedFor: Int { segmentsCompared * variantsCompared }
    /// Segments left out of the pooling (no test could be run there).
    public var segmentsLeftOut: [String]
    /// Posterior chance that the variant beats the control in this segment (`SegmentPooling.Segment.bayesian`:
    /// the calibrated posterior from three segments, the BLUP's normal with two).
    public var chanceToWin: Double
    /// The mean of the calibrated posterior behind the interval, for the calibrated kinds.
    ///
    /// Morris's centre, or the hierarchical-Bayes posterior mean; nil for `rawAdjusted`. It usually shrinks less than `estimate`
    /// (the BLUP, which treats the spread τ̂ as known), and the interval is not centred on `estimate`.
    public var intervalCentre: Double?

    /// The best segment of `treatment` in `metric`'s partial pooling, nil with fewer than two segments.
    public init?(_ metric: MetricAnalysis, treatment: String, level: Double) {
      // Never the BLUP interval, and never one at the plan's level alone: the calibrated interval adjusted
      // for the segments compared, or with none (two segments) the raw one adjusted the same way.
      guard let pooling = metric.partialPooling.first(where: { $0.treatment == treatment }),
        let best = pooling.best(lowerIsBetter: !metric.metric.higherIsBetter),
        let quoted = pooling.quotedInterval(for: best)
      else { return nil }
      let interval = quoted.interval
      self.treatment = treatment
      self.segment = best.segment
      self.estimate = best.estimate.estimate
      self.raw = best.estimate.raw
      self.lower = interval.lower
      self.upper = interval.upper
      self.level = level
      self.intervalKind = quoted.calibrated ? IntervalKind(pooling.model.calibratedMethod) : .rawAdjusted
      self.adjustedLevel = interval.confidenceLevel
      self.segmentsCompared = pooling.segments.count
      self.variantsCompared = pooling.model.variantsCompared
      self.segmentsLeftOut = pooling.segmentsLeftOut
      self.chanceToWin = best.bayesian.chanceToWin
      self.intervalCentre = quoted.calibrated ? best.bayesian.posteriorMean : nil
    }
  }

  /// Why no best segment is named although two segments or more were pooled: the largest shrunken estimate
  /// in the good direction is shared (`BestChoice.segmentChoice`).
  ///
  /// With τ̂² = 0 the model estimates the same effect, μ̂, in every segment; naming the first of them (as
  /// `analyze` did until 2026-12-05) said it worked best there although no segment was estimated to differ.
  public struct NoSegmentStandsOut: Sendable, Hashable {
    public var treatment: String
    /// Segments sharing the largest shrunken estimate (`segmentsCompared` when τ̂² = 0).
    public var tied: Int
    /// Segments pooled.
    public var segmentsCompared: Int
    /// The shared shrunken estimate (treatment − control, the metric's unit).
    public var estimate: Double
    /// The fitted between-segment variance τ̂².
    public var tauSquared: Double
    /// Segments left out of the pooling (no test could be run there).
    public var segmentsLeftOut: [String]

    /// Set when `treatment`'s pooling in `metric` has a tie at the top; nil when a segment stands out or fewer
    /// than two were pooled.
    public init?(_ metric: MetricAnalysis, treatment: String) {
      guard let pooling = metric.partialPooling.first(where: { $0.treatment == treatment }) else { return nil }
      let lowerIsBetter = !metric.metric.higherIsBetter
      guard case .tied(let tied) = pooling.choice(lowerIsBetter: lowerIsBetter) else { return nil }
      self.treatment = treatment
      self.tied = tied
      self.segmentsCompared = pooling.segments.count
      let top = pooling.segments.map(\.estimate.estimate)
      self.estimate = (lowerIsBetter ? top.min() : top.max()) ?? pooling.model.mean
      self.tauSquared = pooling.model.tauSquared
      self.segmentsLeftOut = pooling.segmentsLeftOut
    }
  }
}
