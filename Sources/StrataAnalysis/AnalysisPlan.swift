import StrataAssignment
import StrataDefinitions
import StrataDesign
import StrataStats

/// Everything the analysis needs to know about an experiment, independent of how it was defined.
///
/// Built from an `Experiment` (`AnalysisPlan(experiment:)`) or directly in tests. Variants are in layout
/// order with the control among them; segments are in report order; each metric says its kind, role and
/// missing-value policy.
public struct AnalysisPlan: Sendable, Hashable {
  /// One metric to analyse: the same value the definition holds (`StrataDefinitions.Metric`).
  public typealias Metric = StrataDefinitions.Metric

  /// A pair of value columns whose co-moment the cells carry (`SufficientStatistics.pairs`), by index in
  /// `columns`: numerator × denominator of a ratio metric, value × covariate for CUPED.
  ///
  /// In aggregated input its column is `<first column>_x_<second column>_sum`.
  public struct CrossProduct: Sendable, Hashable {
    public var first: Int
    public var second: Int

    public init(first: Int, second: Int) {
      self.first = first
      self.second = second
    }
  }

  /// Which comparisons form the multiple-testing family.
  public enum FamilyScope: String, Sendable, Hashable, CaseIterable {
    /// Every segment × treatment comparison of the primary metric (the default).
    case primary
    /// Every segment × treatment comparison of every primary and secondary metric (guardrails excluded).
    case allMetrics = "all-metrics"
  }

  /// How p-values of the primary family are adjusted.
  public enum Correction: String, Sendable, Hashable, CaseIterable {
    case holm
    case benjaminiHochberg = "benjamini-hochberg"
    case bonferroni
    case none
  }

  public var id: String
  public var name: String
  public var hypothesis: String?
  /// Column names in unit-level data.
  public var unitColumn: String
  public var variantColumn: String
  public var segmentColumn: String
  /// Variant keys in layout order.
  public var variants: [String]
  public var variantDescriptions: [String: String]
  public var controlIndex: Int
  /// Segment names in report order.
  public var segments: [String]
  /// Whether the segments were discovered (`strata discover`: nearest-centroid segments), not planned.
  public var segmentsDiscovered = false
  /// Planned allocation weights per segment (outer index: segment, inner: variant), for the SRM check.
  public var segmentWeights: [[Double]]
  public var metrics: [Metric]
  /// Pairs of value columns (`columns`) whose co-moments every source fills: filled from the metrics by the
  /// initializer (`requiredCrossProducts(for:)`: a ratio's numerator × denominator, value × covariate for
  /// CUPED); `strata sql --cross-product` may add more.
  public var crossProducts: [CrossProduct] = []
  /// Type I error rate for each comparison's interval and test.
  public var alpha: Double
  public var power: Double
  /// Two-sided, or one-sided `.greater` (treatment greater than control).
  public var alternative: Alternative
  /// The smallest effect the plan meant to detect for the primary metric, absolute (treatment − control).
  public var minimumDetectableEffect: Double?
  /// Planned relative MDE as written in the definition (for the report).
  public var minimumDetectableEffectIsRelative: Bool
  public var baseline: Double?
  public var standardDeviation: Double?
  /// Planned units per variant in each segment; nil when the plan cannot tell.
  public var plannedUnitsPerVariant: Int?
  /// Eligible units a day across all variants (the plan's `daily_units`), for "how many more days".
  public var dailyUnits: Int? = nil
  public var correction: Correction
  /// Which comparisons are corrected together.
  public var family: FamilyScope = .primary
  /// SRM is flagged when its p-value is below this (the contract's 0.001).
  public var srmThreshold: Double
  /// Planned looks (for the sequential guard; 1 = fixed design).
  public var looks: Int
  /// Method, spending, fractions, τ and maximum size for the sequential guard.
  public var sequential = SequentialSettings()
  /// The factorial design whose cells are the variants (run order), for factorial experiments.
  public var factorialDesign: FactorialDesign?
  /// Standard errors of factorial fits of continuous metrics (binomial metrics always use HC1).
  public var factorialContinuousErrors: CovarianceEstimator = .hc1
  /// Standard deviation σ of the proper N(0, σ²) prior on the lift (on `bayesianScale`) for the Bayesian summaries
  /// (`plan.prior`); nil: a flat prior.
  public var prior: Double? = nil
  /// The lift of the Bayesian summaries (`plan.bayesian_scale`): relative by default; `prior` is on this scale.
  public var bayesianScale: StatisticalPlan.BayesianScale = .relative
  /// The random-effects model of partial pooling (`plan.pooling`): REML without Knapp–Hartung by default.
  public var pooling = StatisticalPlan.Pooling()

  public init(
    id: String, name: String? = nil, hypothesis: String? = nil, unitColumn: String = "unit_id",
    variantColumn: String = "variant", segmentColumn: String = "segment", variants: [String],
    variantDescriptions: [String: String] = [:], controlIndex: Int = 0, segments: [String],
    segmentWeights: [[Double]]? = nil, metrics: [Metric], alpha: Double = 0.05, power: Double = 0.8,
    alternative: Alternative = .twoSided,
    minimumDetectableEffect: Double? = nil, minimumDetectableEffectIsRelative: Bool = false, baseline: Double? = nil,
    standardDeviation: Double? = nil, plannedUnitsPerVariant: Int? = nil, correction: Correction = .holm,
    srmThreshold: Double = 0.001, looks: Int = 1
  ) {
    precondition(variants.indices.contains(controlIndex), "control index out of range")
    self.id = id
    self.name = name ?? id
    self.hypothesis = hypothesis
    self.unitColumn = unitColumn
    self.variantColumn = variantColumn
    self.segmentColumn = segmentColumn
    self.variants = variants
    self.variantDescriptions = variantDescriptions
    self.controlIndex = controlIndex
    self.segments = segments
    self.segmentWeights = segmentWeights ?? segments.map { _ in variants.map { _ in 1 } }
    self.metrics = metrics
    crossProducts = Self.requiredCrossProducts(for: metrics)
    self.alpha = alpha
    self.power = power
    self.alternative = alternative
    self.minimumDetectableEffect = minimumDetectableEffect
    self.minimumDetectableEffectIsRelative = minimumDetectableEffectIsRelative
    self.baseline = baseline
    self.standardDeviation = standardDeviation
    self.plannedUnitsPerVariant = plannedUnitsPerVariant
    self.correction = correction
    self.srmThreshold = srmThreshold
    self.looks = looks
  }

  public var control: String { variants[controlIndex] }
  /// Indices of the treatment variants (all but the control), in layout order.
  public var treatmentIndices: [Int] { variants.indices.filter { $0 != controlIndex } }
  /// The first primary metric, else the first metric.
  public var primaryMetricIndex: Int? { metrics.firstIndex { $0.role == .primary } ?? (metrics.isEmpty ? nil : 0) }
  public var confidenceLevel: Double { 1 - alpha }
}

extension AnalysisPlan {
  /// Adapts an experiment definition.
  ///
  /// Variants and weights (per segment, including segment overrides), segments, metrics and the statistical plan. The
  /// planned units per variant are the definition's `n_per_variant`, else the plan's fixed-horizon sample size
  /// (`ExperimentDefinition.plannedSampleSize()`, R `power.prop.test` / `power.t.test` with alpha split over the
  /// comparisons). Data columns are `unit` (the experiment's unit column), `variant` and `segment`.
  public init(definition: ExperimentDefinition) {
    let experiment = definition.experiment
    let plan = definition.plan
    var mde = plan.minimumDetectableEffect
    if plan.relative, let relative = mde, let baseline = plan.baseline { mde = relative * baseline }
    var descriptions: [String: String] = [:]
    for variant in experiment.variants { descriptions[variant.key] = variant.description }
    self.init(
      id: experiment.id, name: experiment.name,
      hypothesis: experiment.hypothesis.map {
        String($0.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
      },
      unitColumn: experiment.unit,
      variants: experiment.variants.map(\.key), variantDescriptions: descriptions,
      controlIndex: experiment.controlIndex,
      segments: experiment.segmentNames,
      segmentWeights: experiment.segments.map { segment in
        experiment.variants.map { Double((segment.weights[$0.key] ?? $0.weight).tenThousandths) }
      },
      metrics: definition.metrics,
      alpha: plan.alpha, power: plan.power, alternative: plan.alternative, minimumDetectableEffect: mde,
      minimumDetectableEffectIsRelative: plan.relative, baseline: plan.baseline,
      standardDeviation: plan.standardDeviation,
      plannedUnitsPerVariant: plan.sampleSizePerVariant ?? (try? definition.plannedSampleSize())?.perVariant,
      correction: .holm, looks: plan.looks)
    sequential = SequentialSettings(definition: definition)
    segmentsDiscovered = definition.experiment.segmentation != nil
    dailyUnits = plan.dailyUnits
    prior = plan.prior
    bayesianScale = plan.bayesianScale
    pooling = plan.pooling
  }
}
