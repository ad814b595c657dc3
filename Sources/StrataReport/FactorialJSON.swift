import StrataAnalysis
import StrataDesign
import StrataStats

/// The `factorial` object of `strata analyze --json` for factorial experiments (null otherwise).
///
/// Per metric and per fit (each segment, then `segment: null` for all segments together) the same keys as
/// `strata calc factorial --json`: `anova`, `coefficients`, `marginal_means`, `level_differences`, `cells`,
/// `best_cell`, plus `interaction_means` for the plotted pair of factors. See docs/analyze.md.
public enum FactorialJSON {
  public static func value(_ factorial: FactorialAnalysis) -> JSONValue {
    let design = factorial.design
    return .object([
      ("design", .string(design.isFractional ? "fractional" : "full")),
      (
        "factors",
        .array(
          design.factors.map { factor in
            .object([("name", .string(factor.name)), ("levels", .array(factor.levels.map(JSONValue.string)))])
          })
      ),
      ("run_count", .integer(design.runs.count)),
      ("generators", .array(design.generators.map { .string($0.letters) })),
      ("defining_relation", .array(design.definingRelation.map { .string($0.letters) })),
      ("resolution", design.resolution.map(JSONValue.integer) ?? .null),
      ("aliasing_caveats", .array(factorial.aliasingCaveats.map(JSONValue.string))),
      (
        "metrics",
        .array(
          factorial.metrics.map { metric in
            .object([
              ("metric", .string(metric.metric.name)), ("kind", .string(metric.metric.kind.name)),
              ("model", .string(metric.metric.kind == .binomial ? "linear probability" : "linear")),
              ("fits", .array(metric.fits.map { fit($0, design) })),
            ])
          })
      ),
    ])
  }

  /// One fit: `segment`, `fitted`, then the keys of `FactorialFitJSON` (the same as `calc factorial`).
  static func fit(_ fit: FactorialFit, _ design: FactorialDesign) -> JSONValue {
    let segment: JSONValue = fit.segment.map(JSONValue.string) ?? .null
    guard let result = fit.result else {
      return .object([
        ("segment", segment), ("fitted", .bool(false)), ("notes", .array(fit.notes.map(JSONValue.string))),
      ])
    }
    let interaction: JSONValue =
      fit.plottedFactors.count == 2
      ? FactorialFitJSON.twoWayMeans(
        first: fit.plottedFactors[0], second: fit.plottedFactors[1], means: fit.twoWayMeans, design: design)
      : .null
    return .object(
      [("segment", segment), ("fitted", .bool(true))]
        + FactorialFitJSON.entries(
          result, design: design, levelDifferences: Array(fit.levelDifferences.joined()),
          interactionMeans: interaction, notes: fit.notes))
  }
}
