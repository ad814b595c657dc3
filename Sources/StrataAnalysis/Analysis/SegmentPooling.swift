import StrataDefinitions
import StrataStats

/// Partial pooling of one treatment's per-segment effects for one metric: the random-effects model across
/// segments, each segment's raw and shrunken estimate side by side, and a Bayesian summary of the shrunken
/// one (the calibrated posterior behind the interval quoted from three segments, else the random-effects
/// model with τ̂² plugged in as an informed prior).
///
/// The estimates pooled are the per-segment absolute lifts (treatment − control: a difference of rates or
/// of means) with their unpooled sampling variances, so the model is the same whatever the metric kind.
/// The segment with the largest observed lift is usually the luckiest; its shrunken estimate is what to
/// expect when the campaign rolls out.
public struct SegmentPooling: Sendable, Hashable {
  /// One segment's numbers.
  public struct Segment: Sendable, Hashable {
    public var segment: String
    public var estimate: ShrunkenEstimate
    /// Posterior of the segment's effect: chance to win and risks.
    ///
    /// The calibrated posterior behind the
    /// calibrated interval when there is one (three segments or more: `RandomEffectsResult.calibratedPosteriors`),
    /// else the BLUP's normal (the random-effects model with τ̂² plugged in as the prior).
    public var bayesian: BayesianResult
  }

  /// The interval quoted for a segment chosen among those pooled, adjusted for the segments (times the
  /// variants) compared.
  public struct QuotedInterval: Sendable, Hashable {
    /// The segment it is quoted for (`Segment.segment`).
    public var segment: String
    public var interval: ConfidenceInterval
    /// The calibrated interval adjusted for selection
    /// (`RandomEffectsResult.calibratedIntervalAdjustedForSelection(of:at:)`, around the calibrated centre); false:
    /// with no calibrated interval (two segments), the segment's own (raw) interval adjusted the same way
    /// (`RandomEffectsResult.rawIntervalAdjustedForSelection(of:)`).
    public var calibrated: Bool
  }

  public var treatment: String
  /// The fit, its per-segment arrays emptied (`shrunken`, `calibratedPosteriors`): each segment's estimate and
  /// posterior are kept once, in `segments`.
  public var model: RandomEffectsResult
  public var segments: [Segment]
  /// Segments left out (no test could be run there: too few units or no variation).
  public var segmentsLeftOut: [String]
  /// The interval to quote for the best segment in the metric's good direction (`best(lowerIsBetter:)`, the
  /// one the decision names), nil with fewer than two segments.
  ///
  /// Computed at pooling time for that one segment: kept for every segment, the calibrated and the raw
  /// intervals adjusted for selection cost 43 MB and more of `analyze`'s peak memory at 20,000 segments × 16
  /// variants, and only the best segment of each pooling quotes one.
  public var bestInterval: QuotedInterval?

  /// The interval to quote for segment `index` (of `segments`) were it the one chosen: the calibrated interval
  /// adjusted for selection when it has a calibrated interval, else its raw interval adjusted the same way
  /// (what `bestInterval` holds for the best segment).
  public func intervalAdjustedForSelection(at index: Int) throws(StatsError) -> QuotedInterval {
    let estimate = segments[index].estimate
    let name = segments[index].segment
    if let calibrated = try model.calibratedIntervalAdjustedForSelection(of: estimate, at: index) {
      return QuotedInterval(segment: name, interval: calibrated, calibrated: true)
    }
    return QuotedInterval(
      segment: name, interval: try model.rawIntervalAdjustedForSelection(of: estimate), calibrated: false)
  }

  /// `bestInterval` when `segment` is the segment it is quoted for, else nil.
  public func quotedInterval(for segment: Segment) -> QuotedInterval? {
    bestInterval?.segment == segment.segment ? bestInterval : nil
  }

  /// The segment with the largest shrunken effect in the metric's good direction, when two or more segments
  /// were pooled and no other has the same estimate (`BestChoice.segment`, the rule `strata simulate pooling`
  /// scores too); nil when none stands out (`choice(lowerIsBetter:)` says why).
  public func best(lowerIsBetter: Bool = false) -> Segment? {
    BestChoice.segment(segments, lowerIsBetter: lowerIsBetter) { $0.estimate.estimate }.map { segments[$0] }
  }

  /// Whether a segment stands out (`BestChoice.segmentChoice`): the index of `segments` that does, how many
  /// tie at the top (all of them when τ̂² = 0), or fewer than two pooled.
  public func choice(lowerIsBetter: Bool = false) -> BestChoice.SegmentChoice<Int> {
    BestChoice.segmentChoice(segments, lowerIsBetter: lowerIsBetter) { $0.estimate.estimate }
  }
}

/// Fits `SegmentPooling` for every treatment of one metric from its per-segment comparisons.
struct SegmentPooler {
  let plan: AnalysisPlan

  func pool(_ metric: MetricAnalysis, lowerIsBetter: Bool = false) -> (pooling: [SegmentPooling], warnings: [String]) {
    guard plan.segments.count > 1 else { return ([], []) }
    var pooling: [SegmentPooling] = []
    var warnings: [String] = []
    let treatments = plan.treatmentIndices.map { plan.variants[$0] }
    // Each treatment's per-segment comparisons by position, in one pass: matching every comparison's treatment
    // against each treatment in turn compared K − 1 strings per comparison (15 × 300,000 per metric at 20,000
    // segments × 16 variants).
    let comparisons = metric.comparisons
    var slots = TreatmentSlots()
    for treatment in treatments { _ = slots.slot(adding: treatment) }
    var positions = [[Int]](repeating: [], count: treatments.count)
    for index in comparisons.indices where comparisons[index].segment != nil {
      if let offset = slots.slot(of: comparisons[index].treatment) { positions[offset].append(index) }
    }
    for treatment in treatments {
      var names: [String] = []
      var estimates: [Double] = []
      var variances: [Double] = []
      var leftOut: [String] = []
      // By position, reading fields in place: a `for comparison in` loop copied every comparison whole.
      for index in positions[slots.slot(of: treatment) ?? 0] {
        guard let segment = comparisons[index].segment else { continue }
        if let variance = Self.samplingVariance(control: comparisons[index].control, comparisons[index].treatmentArm),
          comparisons[index].pValue != nil, comparisons[index].absoluteLift.isFinite
        {
          names.append(segment)
          estimates.append(comparisons[index].absoluteLift)
          variances.append(variance)
        } else {
          leftOut.append(segment)
        }
      }
      guard !names.isEmpty else { continue }
      do {
        // Knapp–Hartung needs two segments (K − 1 degrees of freedom): one segment pools without it, and
        // `knapp_hartung` in the JSON says which was used. The variant whose best segment is named is itself
        // the best of the plan's treatments, so the intervals for a chosen segment are adjusted for every
        // treatment × segment pair.
        var model = try RandomEffectsModel(
          estimates: estimates, variances: variances, method: plan.pooling.randomEffectsMethod,
          knappHartung: plan.pooling.knappHartung && estimates.count >= 2,
          confidenceLevel: plan.confidenceLevel, calibrated: true, variantsCompared: treatments.count
        ).result()
        // Each segment's estimate and posterior move into its segment, kept once: the fit's arrays are emptied
        // (kept in both, they cost 80–86 MB and 91 MB of peak memory at 20,000 segments × 16 variants).
        let shrunken = model.shrunken
        let posteriors = model.calibratedPosteriors
        model.shrunken = []
        model.calibratedPosteriors = []
        // The credible interval's quantile is the same for every segment: asked of GSL once per pooling.
        let critical = try BayesianSummary.critical(credibleLevel: plan.confidenceLevel)
        var segments: [SegmentPooling.Segment] = []
        segments.reserveCapacity(shrunken.count)
        for (index, estimate) in shrunken.enumerated() {
          let bayesian: BayesianResult
          if index < posteriors.count, let interval = estimate.calibratedInterval {
            bayesian = posteriors[index].result(lowerIsBetter: lowerIsBetter, credibleInterval: interval)
          } else {
            bayesian = try BayesianSummary(
              estimate: estimate.estimate, variance: estimate.standardError * estimate.standardError,
              lowerIsBetter: lowerIsBetter, credibleLevel: plan.confidenceLevel
            ).result(critical: critical)
          }
          segments.append(SegmentPooling.Segment(segment: names[index], estimate: estimate, bayesian: bayesian))
        }
        var result = SegmentPooling(
          treatment: treatment, model: model, segments: segments, segmentsLeftOut: leftOut, bestInterval: nil)
        // The interval quoted for the best segment, computed for that one alone.
        if let best = BestChoice.segment(segments, lowerIsBetter: lowerIsBetter, estimate: { $0.estimate.estimate }) {
          result.bestInterval = try result.intervalAdjustedForSelection(at: best)
        }
        pooling.append(result)
      } catch {
        warnings.append("No partial pooling of \(metric.metric.name) for \(treatment) across segments: \(error).")
      }
    }
    return (pooling, warnings)
  }

  /// The unpooled sampling variance of a comparison's absolute lift.
  ///
  /// p(1 − p)/n per arm for rates (the Wald variance of the interval beside it), s²/n per arm for means
  /// (Welch's). nil when it is not positive.
  static func samplingVariance(control c: ArmSummary, _ t: ArmSummary) -> Double? {
    guard c.count > 0, t.count > 0 else { return nil }
    let variance: Double
    if c.successes != nil {
      variance = c.mean * (1 - c.mean) / c.count + t.mean * (1 - t.mean) / t.count
    } else {
      guard c.count >= 2, t.count >= 2 else { return nil }
      variance =
        c.standardDeviation * c.standardDeviation / c.count + t.standardDeviation * t.standardDeviation / t.count
    }
    return variance > 0 && variance.isFinite ? variance : nil
  }
}

extension MetricAnalysis {
  /// Each treatment's partially pooled segments by segment name (the first pooling of a treatment), for
  /// lookups that stay linear with thousands of segments.
  public func shrunkenSegments() -> [String: [String: SegmentPooling.Segment]] {
    var out: [String: [String: SegmentPooling.Segment]] = [:]
    for pooling in partialPooling where out[pooling.treatment] == nil {
      out[pooling.treatment] = Dictionary(pooling.segments.map { ($0.segment, $0) }) { first, _ in first }
    }
    return out
  }
}

extension StatisticalPlan.Pooling {
  /// The statistics layer's estimator for `method`.
  public var randomEffectsMethod: RandomEffectsModel.Method {
    switch method {
    case .reml: return .restrictedMaximumLikelihood
    case .dl: return .dersimonianLaird
    }
  }
}
