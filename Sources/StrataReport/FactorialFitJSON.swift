import StrataDesign
import StrataStats

/// The one JSON builder of a factorial regression fit, shared by `strata calc factorial --json` (the whole
/// object) and `strata analyze --json` (each `factorial.metrics[].fits[]` entry), so both spell the same
/// numbers with the same keys.
///
/// `entries` gives the keys both commands print, in order: `covariance`, `anova_type`, `unit_count`,
/// `residual_df`, `r_squared`, `terms`, `anova`, `coefficients`, `marginal_means`, `level_differences`,
/// `interaction_means`, `cells`, `best_cell`, `cells_compared`, `per_cell_confidence_level`, `notes`. Each command adds its own
/// keys around them (`calc factorial`: `metric`, `design`, `resolution`, `confidence_level`,
/// `aliased_terms`; `analyze`: `segment`, `fitted`).
public enum FactorialFitJSON {
  /// The shared keys of one fit.
  ///
  /// `interactionMeans` is the value of `interaction_means`: `calc factorial` gives every pair of factors
  /// (an array), `analyze` the plotted pair (an object, or null); both build pairs with `twoWayMeans`.
  public static func entries(
    _ result: FactorialRegressionResult, design: FactorialDesign, levelDifferences: [LevelDifference],
    interactionMeans: JSONValue, notes: [String]
  ) -> [(String, JSONValue)] {
    [
      ("covariance", .string(result.covariance.rawValue)),
      ("anova_type", .integer(result.anovaType.rawValue)),
      ("unit_count", .number(result.unitCount)),
      ("residual_df", .number(result.residualDegreesOfFreedom)),
      ("r_squared", .finite(result.rSquared)),
      ("terms", terms(result)),
      ("anova", anova(result)),
      ("coefficients", coefficients(result)),
      ("marginal_means", marginalMeans(result, design: design)),
      ("level_differences", .array(levelDifferences.map { difference($0, design: design) })),
      ("interaction_means", interactionMeans),
      ("cells", .array(result.cells.map { cell($0, design: design) })),
      ("best_cell", cell(result.bestCell, design: design)),
      // How many cells the best was chosen among: its interval, like every cell's, is simultaneous over them.
      ("cells_compared", .integer(result.cells.count)),
      ("per_cell_confidence_level", .number(result.perCellConfidenceLevel)),
      ("notes", .array(notes.map(JSONValue.string))),
    ]
  }

  /// A term's name; the mean for `.identity` (what a term aliased with the mean is aliased with).
  public static func name(_ word: EffectWord, in result: FactorialRegressionResult) -> String {
    word == .identity ? "the mean" : result.model.name(of: word)
  }

  /// `terms`: each estimated term with its letters and what it is aliased with.
  static func terms(_ result: FactorialRegressionResult) -> JSONValue {
    .array(
      result.terms.map { term in
        .object([
          ("term", .string(term.name)), ("letters", .string(term.term.letters)),
          ("aliased_with", .array(term.aliasedWith.map { .string(name($0, in: result)) })),
        ])
      })
  }

  /// `aliased_terms`: terms left out of a fraction's model and the term (or the mean) carrying them.
  public static func aliasedTerms(_ result: FactorialRegressionResult) -> JSONValue {
    .array(
      result.aliasedTerms.map { entry in
        .object([
          ("term", .string(name(entry.term, in: result))), ("aliased_with", .string(name(entry.aliasOf, in: result))),
        ])
      })
  }

  static func anova(_ result: FactorialRegressionResult) -> JSONValue {
    .array(
      result.anova.map { row in
        .object([
          ("term", .string(row.name)), ("df", .integer(row.degreesOfFreedom)),
          ("sum_of_squares", .finite(row.sumOfSquares)), ("statistic", .finite(row.test.statistic)),
          ("p_value", .finite(row.test.pValue)),
        ])
      })
  }

  static func coefficients(_ result: FactorialRegressionResult) -> JSONValue {
    .array(
      result.coefficients.map { c in
        .object([
          ("label", .string(c.label)), ("estimate", .finite(c.estimate)), ("standard_error", .finite(c.standardError)),
          ("statistic", .finite(c.test.statistic)), ("p_value", .finite(c.test.pValue)),
          ("ci_low", .finite(c.interval.lower)), ("ci_high", .finite(c.interval.upper)),
        ])
      })
  }

  static func marginalMeans(_ result: FactorialRegressionResult, design: FactorialDesign) -> JSONValue {
    .array(
      result.marginalMeans.joined().map { m in
        .object([
          ("factor", .string(design.factors[m.factor].name)),
          ("level", .string(design.factors[m.factor].levels[m.level])),
          ("estimate", .finite(m.estimate)), ("standard_error", .finite(m.standardError)),
          ("ci_low", .finite(m.interval.lower)), ("ci_high", .finite(m.interval.upper)),
        ])
      })
  }

  static func difference(_ d: LevelDifference, design: FactorialDesign) -> JSONValue {
    let factor = design.factors[d.factor]
    return .object([
      ("factor", .string(factor.name)), ("level", .string(factor.levels[d.level])),
      ("baseline", .string(factor.levels[0])), ("difference", .finite(d.difference)),
      ("standard_error", .finite(d.standardError)), ("statistic", .finite(d.test.statistic)),
      ("p_value", .finite(d.test.pValue)), ("ci_low", .finite(d.interval.lower)),
      ("ci_high", .finite(d.interval.upper)),
    ])
  }

  static func cell(_ cell: CellEstimate, design: FactorialDesign) -> JSONValue {
    .object([
      ("levels", .object(zip(design.factors, cell.levels).map { ($0.name, .string($0.levels[$1])) })),
      ("n", .number(cell.count)), ("observed", .finite(cell.observedMean)), ("fitted", .finite(cell.fitted)),
      ("standard_error", .finite(cell.standardError)),
      ("ci_low", .finite(cell.simultaneousInterval.lower)), ("ci_high", .finite(cell.simultaneousInterval.upper)),
    ])
  }

  /// One pair of factors' two-way means: `{factors: [first, second], means: [{levels, estimate, …}]}`,
  /// `means[first level][second level]` flattened row by row.
  public static func twoWayMeans(first: Int, second: Int, means: [[MarginalMean]], design: FactorialDesign) -> JSONValue
  {
    let a = design.factors[first]
    let b = design.factors[second]
    var entries: [JSONValue] = []
    for (i, row) in means.enumerated() {
      for (j, mean) in row.enumerated() {
        entries.append(
          .object([
            ("levels", .object([(a.name, .string(a.levels[i])), (b.name, .string(b.levels[j]))])),
            ("estimate", .finite(mean.estimate)), ("standard_error", .finite(mean.standardError)),
            ("ci_low", .finite(mean.interval.lower)), ("ci_high", .finite(mean.interval.upper)),
          ]))
      }
    }
    return .object([("factors", .array([.string(a.name), .string(b.name)])), ("means", .array(entries))])
  }
}
