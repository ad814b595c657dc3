import StrataAnalysis
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
              ("metric", .string(metric.metric.name)), ("kind", .string(metric.metric.kind.rawValue)),
              ("model", .string(metric.metric.kind == .binomial ? "linear probability" : "linear")),
              ("fits", .array(metric.fits.map { fit($0, design) })),
            ])
          })
      ),
    ])
  }

  static func fit(_ fit: FactorialFit, _ design: FactorialDesign) -> JSONValue {
    let segment: JSONValue = fit.segment.map(JSONValue.string) ?? .null
    guard let result = fit.result else {
      return .object([
        ("segment", segment), ("fitted", .bool(false)), ("notes", .array(fit.notes.map(JSONValue.string))),
      ])
    }
    func levels(_ cell: CellEstimate) -> JSONValue {
      .object(zip(design.factors, cell.levels).map { ($0.name, .string($0.levels[$1])) })
    }
    func cell(_ cell: CellEstimate) -> JSONValue {
      .object([
        ("levels", levels(cell)), ("n", .number(cell.count)), ("observed", .finite(cell.observedMean)),
        ("fitted", .finite(cell.fitted)), ("standard_error", .finite(cell.standardError)),
        ("ci_low", .finite(cell.simultaneousInterval.lower)), ("ci_high", .finite(cell.simultaneousInterval.upper)),
      ])
    }
    var interaction: JSONValue = .null
    if fit.plottedFactors.count == 2 {
      let first = design.factors[fit.plottedFactors[0]]
      let second = design.factors[fit.plottedFactors[1]]
      var means: [JSONValue] = []
      for (i, row) in fit.twoWayMeans.enumerated() {
        for (j, mean) in row.enumerated() {
          means.append(
            .object([
              ("levels", .object([(first.name, .string(first.levels[i])), (second.name, .string(second.levels[j]))])),
              ("estimate", .finite(mean.estimate)), ("standard_error", .finite(mean.standardError)),
              ("ci_low", .finite(mean.interval.lower)), ("ci_high", .finite(mean.interval.upper)),
            ]))
        }
      }
      interaction = .object([
        ("factors", .array([.string(first.name), .string(second.name)])), ("means", .array(means)),
      ])
    }
    return .object([
      ("segment", segment), ("fitted", .bool(true)),
      ("covariance", .string(result.covariance.rawValue)),
      ("anova_type", .integer(result.anovaType.rawValue)),
      ("unit_count", .number(result.unitCount)),
      ("residual_df", .number(result.residualDegreesOfFreedom)),
      ("r_squared", .finite(result.rSquared)),
      (
        "terms",
        .array(
          result.terms.map { term in
            .object([
              ("term", .string(term.name)), ("letters", .string(term.term.letters)),
              ("aliased_with", .array(term.aliasedWith.map { .string(result.model.name(of: $0)) })),
            ])
          })
      ),
      (
        "anova",
        .array(
          result.anova.map { row in
            .object([
              ("term", .string(row.name)), ("df", .integer(row.degreesOfFreedom)),
              ("sum_of_squares", .finite(row.sumOfSquares)), ("statistic", .finite(row.test.statistic)),
              ("p_value", .finite(row.test.pValue)),
            ])
          })
      ),
      (
        "coefficients",
        .array(
          result.coefficients.map { c in
            .object([
              ("label", .string(c.label)), ("estimate", .finite(c.estimate)),
              ("standard_error", .finite(c.standardError)),
              ("statistic", .finite(c.test.statistic)), ("p_value", .finite(c.test.pValue)),
              ("ci_low", .finite(c.interval.lower)), ("ci_high", .finite(c.interval.upper)),
            ])
          })
      ),
      (
        "marginal_means",
        .array(
          result.marginalMeans.joined().map { m in
            .object([
              ("factor", .string(design.factors[m.factor].name)),
              ("level", .string(design.factors[m.factor].levels[m.level])),
              ("estimate", .finite(m.estimate)), ("standard_error", .finite(m.standardError)),
              ("ci_low", .finite(m.interval.lower)), ("ci_high", .finite(m.interval.upper)),
            ])
          })
      ),
      (
        "level_differences",
        .array(
          fit.levelDifferences.joined().map { d in
            let factor = design.factors[d.factor]
            return .object([
              ("factor", .string(factor.name)), ("level", .string(factor.levels[d.level])),
              ("baseline", .string(factor.levels[0])), ("difference", .finite(d.difference)),
              ("standard_error", .finite(d.standardError)), ("statistic", .finite(d.test.statistic)),
              ("p_value", .finite(d.test.pValue)), ("ci_low", .finite(d.interval.lower)),
              ("ci_high", .finite(d.interval.upper)),
            ])
          })
      ),
      ("interaction_means", interaction),
      ("cells", .array(result.cells.map(cell))),
      ("best_cell", cell(result.bestCell)),
      ("per_cell_confidence_level", .number(result.perCellConfidenceLevel)),
      ("notes", .array(fit.notes.map(JSONValue.string))),
    ])
  }
}
