import StrataAssignment
import StrataDefinitions
import StrataStats

/// The complete analysis of one experiment's data: what `strata analyze` prints, the JSON and the reports
/// are all renderings of this value.
public struct Analysis: Sendable {
  public var plan: AnalysisPlan
  public var data: DataSummary
  /// Sample-ratio-mismatch check, overall and per segment: read this first.
  public var sampleRatio: SampleRatioCheck
  /// One entry per metric in plan order (primary, secondary and guardrail metrics alike).
  public var metrics: [MetricAnalysis]
  /// The multiple-testing family and how it was corrected.
  public var family: ComparisonFamily
  /// Which look this is.
  ///
  /// The sequential guard (`SequentialGuard`) fills `sequential`.
  public var look: LookInfo
  /// What to do, as data (`DecisionMaker`); the reports word it (`DecisionText` in StrataReport).
  public var decision: Decision = Decision(
    action: .inconclusive, reason: .noTest, metric: nil, variant: nil, effect: nil, treatments: [],
    nextStep: Decision.NextStep())
  public var warnings: [String]
  /// For factorial experiments: main effects, interactions, ANOVA and marginal means per metric.
  public var factorial: FactorialAnalysis? = nil
  /// Version, generation time and input digests for the reports' footer (set by `strata analyze --report`).
  public var provenance: ReportProvenance? = nil

  /// Metric analyses with the given role.
  public func metrics(role: StrataDefinitions.Metric.Role) -> [MetricAnalysis] {
    metrics.filter { $0.metric.role == role }
  }
}

/// The SRM check: observed units per variant against the planned split.
public struct SampleRatioCheck: Sendable, Hashable {
  public struct Row: Sendable, Hashable {
    /// nil for all segments together.
    public var segment: String?
    public var observed: [Int]
    public var expected: [Double]
    public var statistic: Double
    public var degreesOfFreedom: Double
    public var pValue: Double
    /// Holm-adjusted across segments (nil for the overall row).
    public var adjustedPValue: Double?
    public var mismatch: Bool
    public var note: String?
  }

  public var overall: Row
  public var segments: [Row]
  /// p below which a mismatch is declared (0.001 unless the command says otherwise).
  public var threshold: Double
  /// Whether any row (overall, or a segment after Holm's adjustment) shows a mismatch.
  public var mismatch: Bool { overall.mismatch || segments.contains { $0.mismatch } }
}

/// One arm's summary for one metric in one segment (or overall).
public struct ArmSummary: Sendable, Hashable {
  public var variant: String
  /// Units with a value for this metric.
  public var count: Double
  /// Units whose value was missing and excluded.
  public var missing: Int
  /// Rate (binomial) or mean (continuous).
  public var mean: Double
  public var standardDeviation: Double
  /// Conversions (binomial metrics only).
  public var successes: Double?
  /// Units whose empty value was counted as 0 (`missing: zero`), among `count`.
  ///
  /// The metric's column, or a ratio's numerator. Unit-level input only: aggregated cells and SQL rows cannot tell,
  /// and the JSON reports those as unknown.
  public var zeroFilled = 0

  /// One arm's summary held once for the comparisons that share it (a segment's control arm, read by each of its
  /// treatments' comparisons); compares and hashes by value.
  final class Shared: Sendable, Hashable {
    let value: ArmSummary
    init(_ value: ArmSummary) { self.value = value }
    static func == (a: Shared, b: Shared) -> Bool { a === b || a.value == b.value }
    func hash(into hasher: inout Hasher) { hasher.combine(value) }
  }
}

/// Treatment vs control for one metric in one segment (or all segments pooled naively).
public struct Comparison: Sendable, Hashable {
  public var treatment: String
  /// nil for all segments together.
  public var segment: String?
  /// The control arm, held by reference.
  ///
  /// A segment's comparisons of every treatment share one (`Comparer`): inline, each of the 15 comparisons of a
  /// segment at 16 variants kept its own 72-byte copy (600,000 comparisons at 20,000 segments × 16 variants with
  /// two metrics). Setting it gives this comparison its own.
  public var control: ArmSummary {
    get { sharedControl.value }
    set { sharedControl = ArmSummary.Shared(newValue) }
  }
  var sharedControl: ArmSummary.Shared
  public var treatmentArm: ArmSummary
  /// "z", "fisher" or "welch"; "delta" for a ratio metric, "cuped" for a metric with a covariate and
  /// "delta-cuped" for a ratio with one (Welch-type t on the estimates' variances); nil when no test could be
  /// run (see `notes`).
  public var test: String?
  public var statistic: Double?
  public var degreesOfFreedom: Double?
  public var pValue: Double?
  /// Adjusted within the family, when this comparison is in it.
  public var adjustedPValue: Double?
  public var inFamily: Bool
  public var absoluteLift: Double
  public var absoluteInterval: ConfidenceInterval?
  public var relativeLift: Double?
  public var relativeInterval: ConfidenceInterval?
  /// p (adjusted when in the family) below alpha.
  public var significant: Bool
  /// Fewer units per arm than the plan needs to detect its minimum effect.
  public var underpowered: Bool
  public var notes: [String]
  /// Posterior of the lift, chance to win and risks (flat prior, or the plan's `prior`).
  public var bayesian: BayesianResult? = nil
  /// The lift `bayesian` describes: the plan's `bayesian_scale`, or absolute where a relative lift is undefined
  /// (a control mean of 0).
  public var bayesianScale: StatisticalPlan.BayesianScale = .relative
  /// The standard deviation of the N(0, σ²) prior `bayesian` used, on `bayesianScale`; nil: flat.
  public var bayesianPrior: Double? = nil
  /// Ratio metrics and metrics with a covariate: the adjusted and unadjusted estimates side by side.
  public var adjustment: AdjustedEstimate? {
    get { adjustmentBox?.value }
    set { adjustmentBox = newValue.map(AdjustedEstimate.Box.init) }
  }
  /// `adjustment`, out of line: inline it made every comparison about 400 bytes larger, a plain metric's too
  /// (600,000 comparisons at 20,000 segments × 16 variants with two metrics).
  var adjustmentBox: AdjustedEstimate.Box? = nil

  /// The p-value that decides: adjusted when in the family, raw otherwise.
  public var decidingPValue: Double? { adjustedPValue ?? pValue }
}

extension Comparison {
  /// A comparison with a control arm of its own (`sharedControl` shares one).
  init(
    treatment: String, segment: String?, control: ArmSummary, treatmentArm: ArmSummary, test: String?,
    statistic: Double?, degreesOfFreedom: Double?, pValue: Double?, adjustedPValue: Double?, inFamily: Bool,
    absoluteLift: Double, absoluteInterval: ConfidenceInterval?, relativeLift: Double?,
    relativeInterval: ConfidenceInterval?, significant: Bool, underpowered: Bool, notes: [String]
  ) {
    self.init(
      treatment: treatment, segment: segment, sharedControl: ArmSummary.Shared(control), treatmentArm: treatmentArm,
      test: test, statistic: statistic, degreesOfFreedom: degreesOfFreedom, pValue: pValue,
      adjustedPValue: adjustedPValue, inFamily: inFamily, absoluteLift: absoluteLift,
      absoluteInterval: absoluteInterval, relativeLift: relativeLift, relativeInterval: relativeInterval,
      significant: significant, underpowered: underpowered, notes: notes)
  }
}

/// The stratified estimate across segments for one treatment.
public struct PooledComparison: Sendable, Hashable {
  public var treatment: String
  /// "mantel-haenszel" (binomial: common risk difference) or "inverse-variance" (continuous).
  public var method: String
  /// Risk difference (binomial) or mean difference (continuous), treatment − control.
  public var estimate: Double
  public var standardError: Double
  public var interval: ConfidenceInterval
  /// z of the estimate (risk difference / se, or mean difference / se).
  public var statistic: Double
  public var pValue: Double
  /// Binomial only: the Cochran–Mantel–Haenszel χ² test and the MH odds ratio.
  public var cochranMantelHaenszel: TestResult?
  public var oddsRatio: Double?
  public var oddsRatioInterval: ConfidenceInterval?
  /// Do segments differ? Cochran's Q with I² on the per-segment differences.
  public var heterogeneity: Heterogeneity
  /// Binomial only: Breslow–Day test of a common odds ratio.
  public var breslowDay: Heterogeneity?
  public var segmentsUsed: [String]
  public var notes: [String]
}

/// Everything about one metric.
public struct MetricAnalysis: Sendable, Hashable {
  public var metric: AnalysisPlan.Metric
  /// Per segment (plan order) and per treatment, then the overall (all-segments) comparisons.
  public var comparisons: [Comparison]
  public var pooled: [PooledComparison]
  /// Units per arm each segment needs to detect the plan's minimum effect (nil when the plan cannot tell).
  public var plannedUnitsPerVariant: Int?
  /// Per treatment: the per-segment effects pooled by a random-effects model, raw and shrunken side by side
  /// (empty with one segment).
  public var partialPooling: [SegmentPooling] = []
  /// Per treatment: each segment's effect against the rest's (Welch; empty with one segment).
  public var segmentContrasts: [SegmentContrast] = []
  /// Per treatment: the post-stratified estimate over the segments (empty with one segment).
  public var postStratified: [PostStratifiedComparison] = []

  public func comparisons(segment: String?) -> [Comparison] { comparisons.filter { $0.segment == segment } }

  /// The names of `segments` (the plan's, in its order) that have an underpowered comparison, in that order; nil
  /// when no comparison of a segment is underpowered.
  ///
  /// `segments.filter { names.contains($0) }` over the set of the underpowered comparisons' segments, with the set
  /// sized once (grown from empty it hashed every name again at each doubling) and a segment's comparisons of its
  /// treatments side by side added once: 40,000 inserts at 20,000 segments × 3 variants cost about 27 M
  /// instructions, in the warnings and again in the verdict.
  public func underpoweredSegments(of segments: [String]) -> [String]? {
    var names = Set<String>(minimumCapacity: segments.count)
    var last: String? = nil
    for index in comparisons.indices where comparisons[index].underpowered {
      guard let segment = comparisons[index].segment, segment != last else { continue }
      names.insert(segment)
      last = segment
    }
    return names.isEmpty ? nil : segments.filter { names.contains($0) }
  }
}

/// The multiple-testing family.
public struct ComparisonFamily: Sendable, Hashable {
  /// Plain-words description ("every segment × treatment comparison of renewed").
  public var description: String
  /// The metrics whose comparisons are in the family (the primary metric by default).
  public var metrics: [String]
  public var correction: AnalysisPlan.Correction
  public var size: Int
  public var alpha: Double

  /// The first (by default the only) metric of the family.
  public var metric: String? { metrics.first }

  public func contains(metric name: String) -> Bool { metrics.contains(name) }
}

/// Which look at the data this analysis is.
///
/// Fixed designs have one look.
public struct LookInfo: Sendable, Hashable {
  /// The look number given with `--look` (nil when not given).
  public var number: Int?
  public var plannedLooks: Int
  /// The sequential guard's decision at this look (`SequentialGuard`): nil for a fixed design's only look.
  public var sequential: SequentialAnalysis?
}
