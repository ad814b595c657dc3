import Foundation

/// Monte Carlo calibration of partial pooling.
///
/// Do shrunken segment estimates beat raw ones, and do their intervals cover the true segment effects at
/// the stated rate?
///
///
/// Each simulated campaign draws true segment effects θₖ ~ N(μ, τ²), then observed effects yₖ ~ N(θₖ, vₖ)
/// with standard errors spread evenly (on the log scale) between `smallestStandardError` and
/// `largestStandardError` (small and large segments side by side, as in micro-targeting). It fits the
/// random-effects model (REML) and scores, over every segment of every campaign:
/// - mean squared error of the raw yₖ and of the shrunken θ̃ₖ against θₖ;
/// - coverage of θₖ by the raw interval yₖ ± z·√vₖ, by the shrunken (BLUP) interval and, with `calibrated`,
///   by the calibrated one (`calibratedMethod`: Morris's or the τ-integrated hierarchical-Bayes interval);
/// - coverage by the interval `analyze` quotes for a segment it names (`decision.best_segment`): the
///   calibrated one, or with two segments the raw one Bonferroni-adjusted for the segments compared
///   (`RandomEffectsResult.rawIntervalsAdjustedForSelection`); scored with `calibrated` or two segments;
/// - for the selected segment alone (the largest shrunken estimate of each campaign, as `analyze` picks it):
///   how often its raw, BLUP, raw adjusted, calibrated and quoted intervals cover its true effect (`analyze`
///   quotes the calibrated one at 1 − α/(V·K), `RandomEffectsResult.calibratedIntervalAdjustedForSelection(of:at:)`, or
///   with two segments the raw adjusted one), the quoted interval's width relative to the raw adjusted one,
///   and the mean error of its raw and shrunken estimates (honest selection is about that segment, not the
///   average one);
/// - Monte Carlo standard errors of those figures over campaigns (the independent units).
///
/// With `variants` V ≥ 2, each campaign has V treatments sharing one control (`drawVariants`): `analyze`'s
/// first choice, the variant (`BestChoice.variant` on the inverse-variance pooled estimates, credible by
/// Holm), comes before the segment, and every figure above is about the chosen variant's segments, its model
/// fitted with `variantsCompared` V as `analyze` fits it (the named segment's quoted interval at 1 − α/(V·K)).
/// The selected segment is also scored with the intervals adjusted for its K segments only (what `analyze`
/// quoted before 2026-12-05, and what it quotes with one treatment), to show what the V·K adjustment buys.
/// Draws come from GSL's seeded Mersenne Twister, so a seed reproduces every number. See [Efron & Morris
/// 1975] for why shrinkage lowers the total squared error.
///
/// [Efron & Morris 1975]: https://doi.org/10.1080/01621459.1975.10479864
///
/// > B. Efron, C. Morris. "Data analysis using Stein's estimator and its generalizations." *JASA* 70 (1975).
public struct PoolingSimulation: Sendable, Hashable {
  public var segments: Int
  public var mean: Double
  public var tau: Double
  public var smallestStandardError: Double
  public var largestStandardError: Double
  public var campaigns: Int
  public var confidenceLevel: Double
  public var seed: UInt64
  /// Also score the calibrated intervals (by `calibratedMethod`).
  public var calibrated: Bool
  /// When set, each campaign draws its own τ from a half-normal with this scale (instead of `tau`), and the
  /// calibrated intervals use that half-normal as their prior: averaged over campaigns they must then cover
  /// at exactly the nominal rate (a simulation-based calibration check of the quadrature and the model).
  public var tauPriorScale: Double?
  /// How the calibrated intervals are computed (Morris's interval has no prior: `tauPriorScale` then only
  /// sets how τ is drawn).
  public var calibratedMethod: RandomEffectsModel.CalibratedMethod
  /// With `tauPriorScale`: whether the hierarchical-Bayes intervals take that half-normal as their prior (the
  /// calibration check) or keep the flat prior on τ (what a user without that knowledge gets).
  public var halfNormalPriorInAnalysis: Bool
  /// Treatments per campaign, sharing one control (1: one treatment, no variant chosen).
  public var variants: Int
  /// With several variants, how far the first treatment's mean effect is ahead of the others', in pooled
  /// standard errors of a variant's inverse-variance estimate (1 / √Σ 1/vₖ); 0: all alike.
  public var lead: Double

  public init(
    segments: Int, mean: Double = 0.02, tau: Double = 0.01, smallestStandardError: Double = 0.005,
    largestStandardError: Double = 0.03, campaigns: Int = 2_000, confidenceLevel: Double = 0.95, seed: UInt64 = 1,
    calibrated: Bool = false, tauPriorScale: Double? = nil,
    calibratedMethod: RandomEffectsModel.CalibratedMethod = .morris, halfNormalPriorInAnalysis: Bool = true,
    variants: Int = 1, lead: Double = 0
  ) throws(StatsError) {
    try StatsError.require(
      segments >= 2 && segments <= 10_000, "segments", "must be between 2 and 10000, got \(segments)")
    try StatsError.require(mean.isFinite, "mean", "must be finite, got \(mean)")
    try StatsError.require(tau >= 0 && tau.isFinite, "tau", "must be ≥ 0 and finite, got \(tau)")
    try StatsError.require(
      smallestStandardError > 0 && largestStandardError >= smallestStandardError && largestStandardError.isFinite,
      "standard errors", "need 0 < smallest ≤ largest, got \(smallestStandardError) and \(largestStandardError)")
    // An estimate is its true effect plus noise of about one standard error, in doubles: with effects a million
    // smallest standard errors from 0 that noise keeps about 10 digits, from about 1e15 none (every error 0, every
    // interval covering: silently wrong scores), and from about 1e150 the REML fit failed ("numerical failure").
    let largestEffect = 1e6 * smallestStandardError
    let next = "next to the smallest standard error \(NumberText.general(smallestStandardError))"
    let limit = "use at most 1e6 times it (\(NumberText.general(largestEffect)))"
    let lost = "the simulated errors would be lost in rounding"
    try StatsError.require(
      abs(mean) <= largestEffect, "mean",
      "\(NumberText.general(mean)) is too far from 0 \(next): \(lost); \(limit) from 0, or give the effects in a "
        + "larger unit")
    try StatsError.require(
      tau <= largestEffect, "tau",
      "\(NumberText.general(tau)) is too large \(next): \(lost); \(limit), or give the effects in a larger unit")
    try StatsError.require(
      campaigns >= 1 && campaigns <= 10_000_000, "campaigns", "must be between 1 and 10000000, got \(campaigns)")
    _ = try Alternative.validatedConfidenceLevel(confidenceLevel, field: "confidence level")
    try StatsError.require(
      variants >= 1 && variants <= 1_000, "variants", "must be between 1 and 1000, got \(variants)")
    try StatsError.require(lead.isFinite, "lead", "must be finite, got \(lead)")
    try StatsError.require(
      lead == 0 || variants >= 2, "lead",
      "puts the first of several variants ahead of the others: it needs 2 variants or more, got \(variants)")
    self.segments = segments
    self.mean = mean
    self.tau = tau
    self.smallestStandardError = smallestStandardError
    self.largestStandardError = largestStandardError
    self.campaigns = campaigns
    self.confidenceLevel = confidenceLevel
    self.seed = seed
    self.calibrated = calibrated
    if let tauPriorScale {
      try StatsError.require(
        tauPriorScale > 0 && tauPriorScale.isFinite, "tau prior scale",
        "must be positive and finite, got \(tauPriorScale)")
      try StatsError.require(
        tauPriorScale <= largestEffect, "tau prior scale",
        "\(NumberText.general(tauPriorScale)) is too large \(next): \(lost); \(limit)")
    }
    self.tauPriorScale = tauPriorScale
    self.calibratedMethod = calibratedMethod
    self.halfNormalPriorInAnalysis = halfNormalPriorInAnalysis
    self.variants = variants
    self.lead = lead
  }

  public func run() throws(StatsError) -> PoolingSimulationResult {
    let random = try RandomStream(seed: seed)
    let critical = try Normal.inverseSurvival((1 - confidenceLevel) / 2)
    let ratio = largestStandardError / smallestStandardError
    let standardErrors = (0..<segments).map { k in
      smallestStandardError * pow(ratio, segments == 1 ? 0 : Double(k) / Double(segments - 1))
    }
    let variances = standardErrors.map { $0 * $0 }
    var rawSquaredError = 0.0, shrunkenSquaredError = 0.0
    var rawCovered = 0, shrunkenCovered = 0, calibratedCovered = 0, calibratedScored = 0
    var tauSquaredZero = 0
    // Per-campaign tallies: segments of one campaign share μ̂ and τ̂, so the Monte Carlo error is computed
    // over campaigns (the independent units), not over segment estimates.
    var raw = CampaignTally(), shrunkenTally = CampaignTally(), calibratedTally = CampaignTally()
    var squaredErrors = RatioTally()
    // The interval `analyze` quotes (calibrated, else the raw one adjusted for the segments compared), and
    // the selected segment's scores.
    let quotedScored = calibrated || segments < 3
    var quotedTally = CampaignTally()
    var quotedName: String? = nil
    var best = SelectedSegmentTallies()
    var leaderChosen = CampaignTally()
    for _ in 0..<campaigns {
      let before = (raw: rawCovered, shrunken: shrunkenCovered, calibrated: calibratedCovered)
      let errorsBefore = (raw: rawSquaredError, shrunken: shrunkenSquaredError)
      let scoredBefore = calibratedScored
      var truths: [Double] = []
      var observed: [Double] = []
      let tau = tauPriorScale.map { $0 * abs(random.standardNormal()) } ?? self.tau
      if variants == 1 {
        for k in 0..<segments {
          let truth = mean + tau * random.standardNormal()
          truths.append(truth)
          observed.append(truth + standardErrors[k] * random.standardNormal())
        }
      } else {
        let drawn = try drawVariants(random, tau: tau, standardErrors: standardErrors, variances: variances)
        (truths, observed) = (drawn.truths, drawn.observed)
        leaderChosen.add(drawn.variant == 0 ? 1 : 0)
      }
      // As `analyze` fits the chosen variant's segments (`SegmentPooler`): adjusted for V variants × K segments.
      let model = try RandomEffectsModel(
        estimates: observed, variances: variances, confidenceLevel: confidenceLevel, calibrated: calibrated,
        tauPrior: halfNormalPriorInAnalysis ? tauPriorScale.map { .halfNormal(scale: $0) } ?? .flat : .flat,
        calibratedMethod: calibratedMethod, variantsCompared: variants)
      let fit = try model.result()
      if fit.tauSquared == 0 { tauSquaredZero += 1 }
      let rawAdjusted = try fit.rawIntervalsAdjustedForSelection()
      var quotedCovered = 0
      for k in 0..<segments {
        let truth = truths[k]
        rawSquaredError += (observed[k] - truth) * (observed[k] - truth)
        if abs(observed[k] - truth) <= critical * standardErrors[k] { rawCovered += 1 }
        let shrunken = fit.shrunken[k]
        shrunkenSquaredError += (shrunken.estimate - truth) * (shrunken.estimate - truth)
        if shrunken.interval.contains(truth) { shrunkenCovered += 1 }
        if let calibrated = shrunken.calibratedInterval {
          calibratedScored += 1
          if calibrated.contains(truth) { calibratedCovered += 1 }
        }
        if quotedScored, (shrunken.calibratedInterval ?? rawAdjusted[k]).contains(truth) { quotedCovered += 1 }
      }
      if quotedScored {
        quotedTally.add(Double(quotedCovered) / Double(segments))
        quotedName = fit.calibratedMethod?.rawValue ?? "raw_adjusted"
      }
      // The selected segment: the largest shrunken estimate, as `analyze` names it; a campaign where it is
      // tied (every one with τ̂² = 0) names none, and is not scored for it.
      let chosen: Int
      switch BestChoice.segmentChoice(fit.shrunken, lowerIsBetter: false, estimate: \.estimate) {
      case .best(let index):
        chosen = index
        best.noneNamed.add(0)
      case .tied:
        best.noneNamed.add(1)
        raw.add(Double(rawCovered - before.raw) / Double(segments))
        shrunkenTally.add(Double(shrunkenCovered - before.shrunken) / Double(segments))
        if calibratedScored > scoredBefore {
          calibratedTally.add(Double(calibratedCovered - before.calibrated) / Double(calibratedScored - scoredBefore))
        }
        squaredErrors.add(shrunkenSquaredError - errorsBefore.shrunken, over: rawSquaredError - errorsBefore.raw)
        continue
      case .fewerThanTwo:
        preconditionFailure("two segments or more are validated")
      }
      let selected = fit.shrunken[chosen]
      let truth = truths[chosen]
      let covers: (Bool) -> Double = { $0 ? 1 : 0 }
      best.raw.add(covers(abs(observed[chosen] - truth) <= critical * standardErrors[chosen]))
      best.shrunken.add(covers(selected.interval.contains(truth)))
      best.rawAdjusted.add(covers(rawAdjusted[chosen].contains(truth)))
      let quoted = try fit.calibratedIntervalAdjustedForSelection(of: selected, at: chosen) ?? rawAdjusted[chosen]
      if quotedScored {
        best.quoted.add(covers(quoted.contains(truth)))
        best.quotedWidth.add((quoted.upper - quoted.lower) / (rawAdjusted[chosen].upper - rawAdjusted[chosen].lower))
      }
      // The same intervals adjusted for the K segments only (with one variant they are the ones above).
      let segmentsOnly =
        variants == 1
        ? (rawAdjusted: rawAdjusted[chosen], quoted: quoted) : try segmentsOnlyIntervals(model, fit, chosen)
      best.rawAdjustedSegmentsOnly.add(covers(segmentsOnly.rawAdjusted.contains(truth)))
      if quotedScored { best.quotedSegmentsOnly.add(covers(segmentsOnly.quoted.contains(truth))) }
      if let calibrated = selected.calibratedInterval { best.calibrated.add(covers(calibrated.contains(truth))) }
      best.rawError.add(observed[chosen] - truth)
      best.shrunkenError.add(selected.estimate - truth)
      raw.add(Double(rawCovered - before.raw) / Double(segments))
      shrunkenTally.add(Double(shrunkenCovered - before.shrunken) / Double(segments))
      if calibratedScored > scoredBefore {
        calibratedTally.add(Double(calibratedCovered - before.calibrated) / Double(calibratedScored - scoredBefore))
      }
      squaredErrors.add(
        shrunkenSquaredError - errorsBefore.shrunken, over: rawSquaredError - errorsBefore.raw)
    }
    let total = campaigns * segments
    return PoolingSimulationResult(
      simulation: self, estimates: total,
      rawMeanSquaredError: rawSquaredError / Double(total),
      shrunkenMeanSquaredError: shrunkenSquaredError / Double(total),
      rawCoverage: Double(rawCovered) / Double(total),
      rawCoverageInterval: try ClopperPearson.interval(successes: rawCovered, trials: total),
      shrunkenCoverage: Double(shrunkenCovered) / Double(total),
      shrunkenCoverageInterval: try ClopperPearson.interval(successes: shrunkenCovered, trials: total),
      calibratedCoverage: calibratedScored > 0 ? Double(calibratedCovered) / Double(calibratedScored) : nil,
      calibratedCoverageInterval: calibratedScored > 0
        ? try ClopperPearson.interval(successes: calibratedCovered, trials: calibratedScored) : nil,
      tauSquaredZeroShare: Double(tauSquaredZero) / Double(campaigns),
      rawCoverageStandardError: raw.standardError,
      shrunkenCoverageStandardError: shrunkenTally.standardError,
      calibratedCoverageStandardError: calibratedScored > 0 ? calibratedTally.standardError : nil,
      meanSquaredErrorRatioStandardError: squaredErrors.standardError,
      quotedInterval: quotedName,
      quotedCoverage: quotedScored ? .init(quotedTally) : nil,
      selected: PoolingSimulationResult.SelectedSegment(
        rawCoverage: .init(best.raw), shrunkenCoverage: .init(best.shrunken),
        rawAdjustedCoverage: .init(best.rawAdjusted),
        calibratedCoverage: best.calibrated.count > 0 ? .init(best.calibrated) : nil,
        quotedInterval: quotedName.map { $0 == "raw_adjusted" ? $0 : $0 + "_adjusted" },
        quotedCoverage: quotedScored ? .init(best.quoted) : nil,
        quotedWidthRatio: quotedScored ? .init(best.quotedWidth) : nil,
        rawError: .init(best.rawError), shrunkenError: .init(best.shrunkenError),
        rawAdjustedSegmentsOnlyCoverage: .init(best.rawAdjustedSegmentsOnly),
        quotedSegmentsOnlyCoverage: quotedScored ? .init(best.quotedSegmentsOnly) : nil,
        noneNamedShare: .init(best.noneNamed), namedCampaigns: best.raw.count),
      leaderChosen: variants > 1 ? .init(leaderChosen) : nil)
  }
}

/// Per-campaign tallies of the selected segment.
private struct SelectedSegmentTallies {
  var raw = CampaignTally(), shrunken = CampaignTally(), rawAdjusted = CampaignTally(), quoted = CampaignTally()
  var calibrated = CampaignTally(), quotedWidth = CampaignTally()
  var rawError = CampaignTally(), shrunkenError = CampaignTally()
  var rawAdjustedSegmentsOnly = CampaignTally(), quotedSegmentsOnly = CampaignTally()
  /// 1 for a campaign where no segment stands out (named none, not scored above), else 0.
  var noneNamed = CampaignTally()
}
