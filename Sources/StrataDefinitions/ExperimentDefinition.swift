import StrataAssignment
import StrataDesign

/// A complete experiment definition: the assignment (``StrataAssignment/Experiment``, what an app embeds),
/// what is measured (`metrics`), how it will be analysed (`plan`) and, for factorial experiments, the design
/// its cells come from.
///
/// The initializer validates what the assignment does not: metric names, the plan's ranges and, for a 0/1
/// primary metric, that the planned rates stay below 1 (throwing ``StrataAssignment/DefinitionError`` naming
/// the field). Whether the plan's numbers together give a sample size and boundaries needs the statistics,
/// and is checked by `ExperimentLoader` in StrataAnalysis.
public struct ExperimentDefinition: Sendable, Hashable {
  /// Who takes part and which variant each unit gets.
  public let experiment: Experiment
  public let metrics: [Metric]
  public let plan: StatisticalPlan
  /// The factorial design when the file declares `factors` (nil for ordinary variants).
  public let factorialDesign: FactorialDesign?
  /// Why assignment by hash cannot use this definition though stratified assignment can; nil when it can.
  ///
  /// A weighted variant without buckets (``StrataAssignment/Experiment/variantWithoutBuckets()``) with its file and
  /// line, set when the definition is loaded from a file; a definition built in code asks its experiment. `strata assign` without `--stratified` and `strata serve` refuse it; `strata validate` notes it.
  public internal(set) var onlineAssignmentProblem: ExperimentFileError?

  /// Validates the metrics and the plan of `experiment`.
  public init(
    experiment: Experiment, metrics: [Metric] = [], plan: StatisticalPlan = StatisticalPlan(),
    factorialDesign: FactorialDesign? = nil
  ) throws(DefinitionError) {
    var metricNames: Set<String> = []
    for (index, metric) in metrics.enumerated() {
      try Experiment.check(identifier: metric.name, field: "metrics[\(index)].name", allowDash: false)
      guard metricNames.insert(metric.name).inserted else {
        throw DefinitionError(field: "metrics[\(index)].name", message: "metric \"\(metric.name)\" is listed twice")
      }
    }
    try Self.checkColumnUses(metrics)
    try plan.validate()
    try Self.checkRates(plan, metrics: metrics)
    self.experiment = experiment
    self.metrics = metrics
    self.plan = plan
    self.factorialDesign = factorialDesign
    self.onlineAssignmentProblem = nil
  }
}
