import Foundation
import StrataAssignment
import StrataDefinitions
import StrataStats

/// Loads experiment definitions (`experiments/*.yaml`) as every command and the service use them: read and
/// validated by StrataDefinitions' ``StrataDefinitions/DefinitionLoader``, then checked to give a usable
/// design (a sample size and, with looks, boundaries), which takes the statistics.
///
/// Every problem is an ``StrataDefinitions/ExperimentFileError`` naming the file, the line and the field.
public enum ExperimentLoader {
  /// Loads and validates the experiment in `url`, with every check ``loadDefinition(contentsOf:)`` makes, the plan's
  /// included (`strata assign` skips that one: ``loadDefinitionForAssignment(contentsOf:)``).
  public static func load(contentsOf url: URL) throws(ExperimentFileError) -> Experiment {
    try loadDefinition(contentsOf: url).experiment
  }

  /// Loads and validates an experiment from YAML text, plan check included; `file` names it in errors.
  public static func load(yaml: String, file: String) throws(ExperimentFileError) -> Experiment {
    try loadDefinition(yaml: yaml, file: file).experiment
  }

  /// Loads the whole definition in `url`: the experiment, its metrics, its plan and its factorial design.
  public static func loadDefinition(contentsOf url: URL) throws(ExperimentFileError) -> ExperimentDefinition {
    try loadDefinition(yaml: try DefinitionLoader.text(contentsOf: url), file: url.path)
  }

  /// Loads the whole definition in `url` as ``loadDefinition(contentsOf:)`` does, without checking that the plan
  /// computes: for `strata assign`, which reads the experiment (and its factors) and never the plan.
  ///
  /// Every other check is made, with the same errors. The plan check solves the plan's sample size and, with looks,
  /// its group-sequential design: about 171 M of the 221 M instructions `strata assign` spent on a one-row file of
  /// gym-renewal (`looks: 3`), for a result assignment does not use; the plan cannot change an assignment. A plan
  /// that gives no usable design is reported where it is used (`strata validate`, `analyze`, `sql`, `discover`, the
  /// service's catalog), which keep this check.
  public static func loadDefinitionForAssignment(contentsOf url: URL) throws(ExperimentFileError)
    -> ExperimentDefinition
  {
    try DefinitionLoader.read(yaml: try DefinitionLoader.text(contentsOf: url), file: url.path).definition
  }

  /// Loads the whole definition from YAML text; `file` names it in errors.
  public static func loadDefinition(yaml: String, file: String) throws(ExperimentFileError) -> ExperimentDefinition {
    let (definition, planLine) = try DefinitionLoader.read(yaml: yaml, file: file)
    try checkPlanComputes(definition, file: file, planLine: planLine)
    return definition
  }

  /// Checks that the plan's numbers together give a sample size and, with looks, boundaries.
  ///
  /// Each number is in range on its own (``StrataDefinitions/StatisticalPlan/validate(field:)``), but
  /// without this `validate` would pass a plan that `analyze` cannot use; computed here, the error names
  /// the plan in the file.
  private static func checkPlanComputes(_ definition: ExperimentDefinition, file: String, planLine: Int)
    throws(ExperimentFileError)
  {
    do {
      _ = try definition.plannedMaximumSampleSizePerVariant()
      if definition.plan.looks > 1 && definition.plan.method == .groupSequential {
        _ = try definition.groupSequentialDesign().boundaries()
      }
    } catch {
      let reason: String
      switch error {
      case .invalidInput(let field, let message): reason = "\(field) \(message)"
      case .numerical: reason = "the numbers are beyond what the planning maths can compute"
      }
      throw ExperimentFileError(
        file: file, line: planLine, field: "plan",
        message: "alpha, power, mde, baseline/sd, looks and fractions together give no usable design: \(reason)")
    }
  }
}
