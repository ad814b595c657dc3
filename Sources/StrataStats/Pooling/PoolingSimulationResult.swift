/// What `PoolingSimulation` measured.
public struct PoolingSimulationResult: Sendable, Hashable {
  public var simulation: PoolingSimulation
  /// Segment estimates scored (campaigns × segments).
  public var estimates: Int
  public var rawMeanSquaredError: Double
  public var shrunkenMeanSquaredError: Double
  public var rawCoverage: Double
  /// Clopper–Pearson 95% interval of the coverage (Monte Carlo error; segments of one campaign are not
  /// independent, so read it as a lower bound on the uncertainty).
  public var rawCoverageInterval: ConfidenceInterval
  public var shrunkenCoverage: Double
  public var shrunkenCoverageInterval: ConfidenceInterval
  /// Coverage of the calibrated intervals; nil with fewer than three segments.
  public var calibratedCoverage: Double?
  public var calibratedCoverageInterval: ConfidenceInterval?
  /// Share of campaigns where REML put τ̂² at 0 (complete pooling).
  public var tauSquaredZeroShare: Double
  /// Monte Carlo standard error of the raw intervals' coverage, over campaigns.
  ///
  /// Campaigns are the independent units: each contributes its share of segments covered (the ratio of
  /// summed squared errors takes the delta method). Unlike the Clopper–Pearson intervals above, these
  /// account for segments of one campaign sharing μ̂ and τ̂; the three below are the same kind.
  public var rawCoverageStandardError: Double
  public var shrunkenCoverageStandardError: Double
  public var calibratedCoverageStandardError: Double?
  public var meanSquaredErrorRatioStandardError: Double
  /// Which interval `quotedCoverage` scores for every segment.
  ///
  /// `raw_adjusted` (two segments), `morris` or `hierarchical_bayes` (the calibrated method used, at the
  /// plan's level: what the partial-pooling tables show per segment); nil when not scored (three segments or more without `calibrated`). The segment
  /// `analyze` names gets the calibrated interval adjusted for the segments compared
  /// (`SelectedSegment.quotedInterval`).
  public var quotedInterval: String?
  /// Coverage of every segment's true effect by that interval (mean over campaigns, with its MC SE).
  public var quotedCoverage: Estimate?
  /// The selected segment's scores.
  public var selected: SelectedSegment
  /// With several variants: how often the first (leading, with `lead`) variant was the one chosen, over
  /// campaigns; nil with one variant.
  public var leaderChosen: Estimate?

  /// A mean over campaigns with its Monte Carlo standard error.
  public struct Estimate: Sendable, Hashable {
    public var value: Double
    public var standardError: Double

    init(_ tally: CampaignTally) {
      value = tally.mean
      standardError = tally.standardError
    }
  }

  /// The segment with the largest shrunken estimate in each campaign where one stands out (the one `analyze`
  /// names where the variant works best; campaigns with a tie at the top, every one with τ̂² = 0, are left
  /// out): coverage of its true effect by each interval, and the mean error (estimate − true
  /// effect) of its raw and shrunken estimates, each over campaigns.
  public struct SelectedSegment: Sendable, Hashable {
    public var rawCoverage: Estimate
    public var shrunkenCoverage: Estimate
    /// The raw interval Bonferroni-adjusted for the segments compared, times the variants (1 − α/(V·K)).
    public var rawAdjustedCoverage: Estimate
    /// The calibrated interval at the plan's level, not adjusted for the selection (what `analyze` quoted
    /// for the segment it names until 2026-12-05, from three segments); nil without calibrated intervals.
    public var calibratedCoverage: Estimate?
    /// Which interval `analyze` quotes for the segment it names: `morris_adjusted` or
    /// `hierarchical_bayes_adjusted` (the calibrated one at 1 − α/(V·K)), `raw_adjusted` (two segments); nil
    /// when not scored.
    public var quotedInterval: String?
    /// The interval `analyze` quotes (`quotedInterval`); nil when not scored.
    public var quotedCoverage: Estimate?
    /// The quoted interval's width over the raw adjusted one's, per campaign (1 for `raw_adjusted`).
    public var quotedWidthRatio: Estimate?
    public var rawError: Estimate
    public var shrunkenError: Estimate
    /// The raw interval Bonferroni-adjusted for the K segments only, not the V variants (with one variant,
    /// `rawAdjustedCoverage`).
    public var rawAdjustedSegmentsOnlyCoverage: Estimate
    /// The quoted interval's kind adjusted for the K segments only, at 1 − α/K (with one variant,
    /// `quotedCoverage`); nil when not scored.
    public var quotedSegmentsOnlyCoverage: Estimate?
    /// Share of campaigns where no segment stands out (the largest shrunken estimate tied, as with τ̂² = 0):
    /// `analyze` names none there, so every score above is over the other campaigns only.
    public var noneNamedShare: Estimate
    /// Campaigns that named a segment, over which the scores above are taken (0: none did, and they are
    /// meaningless).
    public var namedCampaigns: Int
  }

  /// Shrunken MSE / raw MSE: below 1 when pooling helps.
  public var meanSquaredErrorRatio: Double { shrunkenMeanSquaredError / rawMeanSquaredError }
}

/// Running mean and standard error of per-campaign values (Welford).
struct CampaignTally {
  private(set) var count = 0
  private(set) var mean = 0.0
  private var sumOfSquares = 0.0

  mutating func add(_ value: Double) {
    count += 1
    let delta = value - mean
    mean += delta / Double(count)
    sumOfSquares += delta * (value - mean)
  }

  /// √(s² / n); 0 with fewer than two campaigns.
  var standardError: Double { count >= 2 ? (sumOfSquares / Double(count - 1) / Double(count)).squareRoot() : 0 }
}

/// Standard error of a ratio of sums Σaᵢ / Σbᵢ over campaigns by the delta method:
/// √(Σ (aᵢ − R bᵢ)² / (n (n − 1))) / b̄.
struct RatioTally {
  private var numerators: [Double] = []
  private var denominators: [Double] = []

  mutating func add(_ numerator: Double, over denominator: Double) {
    numerators.append(numerator)
    denominators.append(denominator)
  }

  var standardError: Double {
    let n = numerators.count
    guard n >= 2 else { return 0 }
    let ratio = numerators.reduce(0, +) / denominators.reduce(0, +)
    let meanDenominator = denominators.reduce(0, +) / Double(n)
    let spread = zip(numerators, denominators).reduce(0) { $0 + ($1.0 - ratio * $1.1) * ($1.0 - ratio * $1.1) }
    return (spread / Double(n * (n - 1))).squareRoot() / meanDenominator
  }
}
