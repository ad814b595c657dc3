import StrataReport
import StrataStats

/// What `strata calc factorial` prints: one JSON object, or tables for people.
struct FactorialOutput {
  var design: FactorialDesign
  var result: FactorialRegressionResult
  var metric: String

  private func names(_ word: EffectWord) -> String {
    word == .identity ? "the mean" : result.model.name(of: word)
  }

  private func levels(_ cell: CellEstimate) -> [String] {
    design.factors.indices.map { design.factors[$0].levels[cell.levels[$0]] }
  }

  private var notes: [String] {
    var notes = [
      result.anovaType == .typeIII
        ? "ANOVA is Type III (each term given all others), with \(result.covariance.rawValue) standard errors; matches statsmodels anova_lm(typ=3)."
        : "ANOVA is Type II (each term given the terms not containing it), with \(result.covariance.rawValue) standard errors; matches statsmodels anova_lm(typ=2).",
      "Cell intervals are Šidák-adjusted over \(result.cells.count) cells (each at \(formatFixed(100 * result.perCellConfidenceLevel, digits: 2))%), so the best cell's interval holds despite picking the maximum.",
    ]
    if metric == "proportion" {
      notes.append("Proportions use the linear probability model; effects are in absolute rate units.")
    }
    let degenerate = result.cells.filter { $0.observedMean == 0 || $0.observedMean == 1 }
    if result.covariance != .classical && !degenerate.isEmpty {
      let names = degenerate.map { levels($0).joined(separator: " × ") }.joined(separator: "; ")
      notes.append("Cells with no variation (\(names)) add nothing to the robust variance; in a saturated model their intervals have zero width. Consider --errors classical or more units.")
    }
    for term in result.terms where !term.aliasedWith.isEmpty {
      notes.append("\(term.name) is aliased with \(term.aliasedWith.map(names).joined(separator: ", ")): its estimate is their sum.")
    }
    return notes
  }

  /// Two-way means for every pair of factors (what interaction plots draw).
  private func interactionMeans(level: Double) throws -> JSONValue {
    var pairs: [JSONValue] = []
    for first in design.factors.indices {
      for second in design.factors.indices where second > first {
        let means = try result.twoWayMeans(first: first, second: second, confidenceLevel: level)
        var entries: [JSONValue] = []
        for (i, row) in means.enumerated() {
          for (j, mean) in row.enumerated() {
            entries.append(.object([
              ("levels", .object([
                (design.factors[first].name, .string(design.factors[first].levels[i])),
                (design.factors[second].name, .string(design.factors[second].levels[j])),
              ])),
              ("estimate", .finite(mean.estimate)), ("standard_error", .finite(mean.standardError)),
              ("ci_low", .finite(mean.interval.lower)), ("ci_high", .finite(mean.interval.upper)),
            ]))
          }
        }
        pairs.append(.object([
          ("factors", .array([.string(design.factors[first].name), .string(design.factors[second].name)])),
          ("means", .array(entries)),
        ]))
      }
    }
    return .array(pairs)
  }

  /// Every level against its factor's first level (treatment − control).
  private func levelDifferences(level: Double) throws -> [(Factor, LevelDifference)] {
    try design.factors.indices.flatMap { factor in
      try result.levelDifferences(factor: factor, confidenceLevel: level).map { (design.factors[factor], $0) }
    }
  }

  func json() throws -> JSONValue {
    let level = result.coefficients.first?.interval.confidenceLevel ?? 0.95
    return .object([
      ("metric", .string(metric)),
      ("design", .string(design.isFractional ? "fractional" : "full")),
      ("resolution", design.resolution.map { .integer($0) } ?? .null),
      ("covariance", .string(result.covariance.rawValue)),
      ("anova_type", .integer(result.anovaType.rawValue)),
      ("confidence_level", .number(level)),
      ("unit_count", .number(result.unitCount)),
      ("residual_df", .number(result.residualDegreesOfFreedom)),
      ("r_squared", .finite(result.rSquared)),
      ("terms", .array(result.terms.map { term in
        .object([("term", .string(term.name)), ("letters", .string(term.term.letters)),
                 ("aliased_with", .array(term.aliasedWith.map { .string(names($0)) }))])
      })),
      ("aliased_terms", .array(result.aliasedTerms.map { entry in
        .object([("term", .string(names(entry.term))), ("aliased_with", .string(names(entry.aliasOf)))])
      })),
      ("coefficients", .array(result.coefficients.map { c in
        .object([("label", .string(c.label)), ("estimate", .finite(c.estimate)), ("standard_error", .finite(c.standardError)),
                 ("statistic", .finite(c.test.statistic)), ("p_value", .finite(c.test.pValue)),
                 ("ci_low", .finite(c.interval.lower)), ("ci_high", .finite(c.interval.upper))])
      })),
      ("anova", .array(result.anova.map { row in
        .object([("term", .string(row.name)), ("df", .integer(row.degreesOfFreedom)),
                 ("sum_of_squares", .finite(row.sumOfSquares)), ("statistic", .finite(row.test.statistic)),
                 ("p_value", .finite(row.test.pValue))])
      })),
      ("marginal_means", .array(result.marginalMeans.flatMap { $0 }.map { m in
        .object([("factor", .string(design.factors[m.factor].name)), ("level", .string(design.factors[m.factor].levels[m.level])),
                 ("estimate", .finite(m.estimate)), ("standard_error", .finite(m.standardError)),
                 ("ci_low", .finite(m.interval.lower)), ("ci_high", .finite(m.interval.upper))])
      })),
      ("level_differences", .array(try levelDifferences(level: level).map { factor, d in
        .object([
          ("factor", .string(factor.name)), ("level", .string(factor.levels[d.level])), ("baseline", .string(factor.levels[0])),
          ("difference", .finite(d.difference)), ("standard_error", .finite(d.standardError)),
          ("statistic", .finite(d.test.statistic)), ("p_value", .finite(d.test.pValue)),
          ("ci_low", .finite(d.interval.lower)), ("ci_high", .finite(d.interval.upper)),
        ])
      })),
      ("interaction_means", try interactionMeans(level: level)),
      ("cells", .array(result.cells.map(cellJSON))),
      ("best_cell", cellJSON(result.bestCell)),
      ("per_cell_confidence_level", .number(result.perCellConfidenceLevel)),
      ("notes", .array(notes.map { .string($0) })),
    ])
  }

  private func cellJSON(_ cell: CellEstimate) -> JSONValue {
    .object([
      ("levels", .object(zip(design.factors, levels(cell)).map { ($0.name, .string($1)) })),
      ("n", .number(cell.count)), ("observed", .finite(cell.observedMean)), ("fitted", .finite(cell.fitted)),
      ("standard_error", .finite(cell.standardError)),
      ("ci_low", .finite(cell.simultaneousInterval.lower)), ("ci_high", .finite(cell.simultaneousInterval.upper)),
    ])
  }

  func table() throws -> String {
    var lines = ["Factorial analysis (\(metric), \(result.covariance.rawValue) errors, \(Int(result.unitCount)) units)", ""]
    lines.append("ANOVA (Type \(result.anovaType == .typeIII ? "III" : "II")):")
    lines.append(textTable([["term", "df", "F", "p"]] + result.anova.map {
      [$0.name, String($0.degreesOfFreedom), human($0.test.statistic), human($0.test.pValue)]
    }))
    lines += ["", "Marginal means:"]
    var rows = [["factor", "level", "mean", "ci low", "ci high"]]
    for m in result.marginalMeans.flatMap({ $0 }) {
      rows.append([design.factors[m.factor].name, design.factors[m.factor].levels[m.level], human(m.estimate),
                   human(m.interval.lower), human(m.interval.upper)])
    }
    lines.append(leftAlignedTable(rows))
    lines += ["", "Levels against the first level (difference of marginal means, treatment − control):"]
    rows = [["factor", "level", "vs", "difference", "ci low", "ci high", "p"]]
    let level = result.coefficients.first?.interval.confidenceLevel ?? 0.95
    for (factor, d) in try levelDifferences(level: level) {
      rows.append([factor.name, factor.levels[d.level], factor.levels[0], human(d.difference), human(d.interval.lower),
                   human(d.interval.upper), human(d.test.pValue)])
    }
    lines.append(leftAlignedTable(rows))
    lines += ["", "Cells (simultaneous intervals):"]
    rows = [["cell", "n", "observed", "fitted", "ci low", "ci high", ""]]
    for (index, cell) in result.cells.enumerated() {
      rows.append([levels(cell).joined(separator: " × "), String(Int(cell.count)), human(cell.observedMean), human(cell.fitted),
                   human(cell.simultaneousInterval.lower), human(cell.simultaneousInterval.upper),
                   index == result.bestCellIndex ? "best" : ""])
    }
    lines.append(textTable(rows))
    lines.append("")
    lines += notes.map { "Note: " + $0 }
    return lines.joined(separator: "\n")
  }
}
