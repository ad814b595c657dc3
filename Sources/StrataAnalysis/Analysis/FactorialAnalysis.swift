import StrataDefinitions
import StrataDesign
import StrataStats

/// The factorial part of an analysis: for every metric, a regression on the effect-coded factors per
/// segment and over all segments, from the per-cell sufficient statistics (a variant is a cell).
public struct FactorialAnalysis: Sendable, Hashable {
  public var design: FactorialDesign
  /// One entry per metric, in plan order.
  public var metrics: [FactorialMetricAnalysis]
  /// For fractional designs: what the aliasing means for reading the effects (empty for full factorials).
  public var aliasingCaveats: [String]
}

/// One metric's factorial fits.
public struct FactorialMetricAnalysis: Sendable, Hashable {
  public var metric: AnalysisPlan.Metric
  /// Per segment (plan order), then all segments together (`segment == nil`).
  public var fits: [FactorialFit]

  /// The fit over all segments.
  public var overall: FactorialFit? { fits.first { $0.segment == nil } }
}

/// One regression (a metric in a segment, or overall).
public struct FactorialFit: Sendable, Hashable {
  /// nil for all segments together.
  public var segment: String?
  /// nil when the model could not be fitted (see `notes`).
  public var result: FactorialRegressionResult?
  /// Per factor: each level against the factor's first level (treatment − control).
  public var levelDifferences: [[LevelDifference]]
  /// The two factors whose interaction is plotted (the two-factor term with the largest F); empty if none.
  public var plottedFactors: [Int] = []
  /// Two-way marginal means of the plotted pair: `[level of first][level of second]`.
  public var twoWayMeans: [[MarginalMean]]
  public var notes: [String]

  public init(
    segment: String?, result: FactorialRegressionResult?, levelDifferences: [[LevelDifference]] = [],
    twoWayMeans: [[MarginalMean]] = [], notes: [String] = []
  ) {
    self.segment = segment
    self.result = result
    self.levelDifferences = levelDifferences
    self.twoWayMeans = twoWayMeans
    self.notes = notes
  }
}
