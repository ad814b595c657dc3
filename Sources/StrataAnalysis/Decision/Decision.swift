/// What to do about an experiment, as data: the action, the variant it concerns, that variant's effect with
/// the interval the decision rule used, and why.
///
/// `DecisionMaker` fills it from a finished analysis (and again after the sequential guard has decided the
/// look); every rendering (terminal, Markdown, HTML, JSON) words the same value, so they cannot disagree.
/// `treatments` holds one entry per treatment of the primary metric, in layout order.
public struct Decision: Sendable, Hashable {
  /// What the reader should do.
  public enum Action: String, Sendable, Hashable, CaseIterable {
    /// A variant credibly improves the primary metric under the plan's decision rule.
    case ship
    /// No decision yet: the plan calls for more data (an interim look, or fewer units than planned).
    case keepRunning = "keep_running"
    /// The planned data are in and no variant reached the effect the plan was built to detect.
    case stopForFutility = "stop_for_futility"
    /// No credible effect, and the data cannot rule out one as large as the plan's minimum effect.
    case inconclusive
    /// Variants credibly make the primary metric worse and none makes it better.
    case doNotShip = "do_not_ship"
    /// The sample ratio check failed: the assignment or the data pipeline is broken.
    case doNotTrust = "do_not_trust"
  }

  /// Why the action follows (one per decision rule outcome).
  public enum Reason: String, Sendable, Hashable, CaseIterable {
    case sampleRatioMismatch = "sample_ratio_mismatch"
    /// Fixed horizon: the variant's p-value, Holm-adjusted across treatments, is below α.
    case significantImprovement = "significant_improvement"
    case significantHarm = "significant_harm"
    /// Group-sequential: a comparison crossed its efficacy boundary at this look.
    case boundaryCrossed = "boundary_crossed"
    /// Always-valid inference (an always-valid plan or an unplanned look): the interval excludes 0.
    case alwaysValidSignificant = "always_valid_significant"
    /// Interim look: no comparison crossed its boundary.
    case noBoundaryCrossed = "no_boundary_crossed"
    /// Last planned look: no comparison crossed its boundary.
    case finalLookNotSignificant = "final_look_not_significant"
    /// Fixed horizon: not significant, with fewer units than the plan needs.
    case belowPlannedSample = "below_planned_sample"
    /// Not significant, and the interval excludes the plan's minimum detectable effect.
    case effectBelowMinimum = "effect_below_mde"
    /// Not significant, and the interval still includes the minimum detectable effect (or none was planned).
    case notSignificant = "not_significant"
    /// No test of the primary metric could be run.
    case noTest = "no_test"
  }

  /// Which interval accompanies an effect: the one the decision rule used.
  public enum IntervalKind: String, Sendable, Hashable {
    /// Fixed horizon: the simultaneous (Bonferroni) interval at level 1 − α/K over the K treatments (the
    /// plan's level with one treatment), whichever Holm step the variant's p-value falls on.
    case confidence
    /// Group-sequential: estimate ± this look's boundary z × standard error (repeated confidence interval).
    case repeatedConfidence = "repeated_confidence"
    /// Mixture-SPRT always-valid interval, valid at any look.
    case alwaysValid = "always_valid"
  }

  /// Where an effect was estimated.
  public enum Scope: String, Sendable, Hashable {
    /// Stratified across segments (Mantel–Haenszel or inverse variance).
    case pooled
    /// All units together (a single-segment experiment).
    case overall
    /// One segment.
    case segment
  }

  /// A treatment's effect on a metric with the interval of the decision rule.
  public struct Effect: Sendable, Hashable {
    public var metric: String
    public var treatment: String
    public var scope: Scope
    /// Set when `scope` is `.segment`.
    public var segment: String?
    /// Treatment − control in the metric's unit (a difference of rates for binomial metrics).
    public var estimate: Double
    public var standardError: Double
    public var lower: Double
    public var upper: Double
    /// Coverage of [lower, upper] (0.95, 0.975, …).
    public var level: Double
    public var intervalKind: IntervalKind
    /// How many treatments the level is adjusted for: K, the treatments compared (α/K each; 1: not adjusted).
    public var adjustedFor: Int
    /// The control's rate or mean over all units (for relative lifts).
    public var controlLevel: Double?
    /// The p-value the rule decided on (Holm-adjusted, always-valid, …); nil when withheld.
    public var pValue: Double?
    /// The rule says the effect is not chance (the interval excludes 0 or a boundary was crossed).
    public var credible: Bool

    /// How the interval's level accounts for the treatments compared: `bonferroni` (α/K, K > 1) or `none`.
    public var intervalAdjustment: String { adjustedFor > 1 ? "bonferroni" : "none" }

    /// Estimate / control level, when the control level is positive.
    public var relative: Double? {
      guard let controlLevel, controlLevel > 0 else { return nil }
      return estimate / controlLevel
    }
  }

  /// The decision for one treatment of the primary metric.
  public struct TreatmentDecision: Sendable, Hashable {
    public var treatment: String
    public var action: Action
    public var reason: Reason
    public var effect: Effect?
  }

  /// What to do next, in numbers.
  public struct NextStep: Sendable, Hashable {
    /// More units per arm (in the least-filled segment) to reach the next planned look or the planned size.
    public var moreUnitsPerArm: Int?
    /// Days that takes at the plan's `daily_units`, given each segment's observed share of traffic.
    public var days: Int?
    public var dailyUnits: Int?
    /// The planned look the extra units reach (sequential plans).
    public var nextLook: Int?
    /// The smallest effect the data so far detect with the plan's power, in the metric's unit.
    public var achievedMinimumEffect: Double?
    /// The plan's minimum detectable effect, in the metric's unit.
    public var plannedMinimumEffect: Double?
  }

  public var action: Action
  public var reason: Reason
  /// The primary metric's name (nil when the plan has none).
  public var metric: String?
  /// The variant the decision is about: the credible one with the largest effect in the good direction,
  /// else the credible one with the largest harm, else the best estimate so far.
  public var variant: String?
  public var effect: Effect?
  public var treatments: [TreatmentDecision]
  public var nextStep: NextStep
  /// The good direction of the primary metric (`increase` unless the definition says otherwise).
  public var higherIsBetter: Bool
  /// This look is sequential (interim or final look of a sequential plan, or an unplanned look).
  public var sequential: Bool
  /// This look is beyond the plan: only always-valid inference holds.
  public var unplannedLook: Bool
  /// Where the decision's variant works best, by its shrunken (partially pooled) estimate: nil with fewer
  /// than two segments pooled, or when no segment stands out (`noSegmentStandsOut`).
  public var bestSegment: BestSegment? = nil
  /// Set when two segments or more were pooled for the decision's variant but the largest shrunken estimate
  /// is shared (with τ̂² = 0, by all of them), so that no best segment is named.
  public var noSegmentStandsOut: NoSegmentStandsOut? = nil

  /// How many treatments the decision's variant was chosen among: those with an effect on the primary metric.
  public var armsCompared: Int { treatments.reduce(0) { $0 + ($1.effect == nil ? 0 : 1) } }

  public init(
    action: Action, reason: Reason, metric: String?, variant: String?, effect: Effect?,
    treatments: [TreatmentDecision], nextStep: NextStep, higherIsBetter: Bool = true, sequential: Bool = false,
    unplannedLook: Bool = false
  ) {
    self.action = action
    self.reason = reason
    self.metric = metric
    self.variant = variant
    self.effect = effect
    self.treatments = treatments
    self.nextStep = nextStep
    self.higherIsBetter = higherIsBetter
    self.sequential = sequential
    self.unplannedLook = unplannedLook
  }
}
