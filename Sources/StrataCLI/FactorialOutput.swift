import StrataAnalysis
import StrataDesign
import StrataReport
import StrataStats

/// What `strata calc factorial` prints: one JSON object, or tables for people.
struct FactorialOutput {
  var design: FactorialDesign
  var result: FactorialRegressionResult
  var metric: String

  private func names(_ word: EffectWord) -> String { FactorialFitJSON.name(word, in: result) }

  private func levels(_ cell: CellEstimate) -> [String] {
    design.factors.indices.map { design.factors[$0].levels[cell.levels[$0]] }
  }

  private var notes: [String] {
    var notes = [
      result.anovaType == .typeIII
        ? "ANOVA is Type III (each term given all others), with \(result.covariance.rawValue) standard errors; matches statsmodels anova_lm(typ=3)."
        : "ANOVA is Type II (each term given the terms not containing it), with \(result.covariance.rawValue) standard errors; matches statsmodels anova_lm(typ=2).",
      "Cell intervals are Šidák-adjusted over \(result.cells.count) cells (each at \(NumberText.number(100 * result.perCellConfidenceLevel, digits: 2))%), so the best cell's interval holds despite picking the maximum.",
    ]
    if metric == "proportion" {
      notes.append("Proportions use the linear probability model; effects are in absolute rate units.")
    }
    let degenerate = result.cells.filter { $0.observedMean == 0 || $0.observedMean == 1 }
    if result.covariance != .classical && !degenerate.isEmpty {
      let names = degenerate.map { levels($0).joined(separator: " × ") }.joined(separator: "; ")
      notes.append(
        "Cells with no variation (\(names)) add nothing to the robust variance; in a saturated model their intervals have zero width. Consider --errors classical or more units."
      )
    }
    for term in result.terms where !term.aliasedWith.isEmpty {
      notes.append(
        "\(term.name) is aliased with \(term.aliasedWith.map(names).joined(separator: ", ")): its estimate is their sum."
      )
    }
    return notes
  }

  /// Two-way means for every pair of factors (what interaction plots draw).
  private func interactionMeans(level: Double) throws -> JSONValue {
    var pairs: [JSONValue] = []
    for first in design.factors.indices {
      for second in design.factors.indices where second > first {
        let means = try result.twoWayMeans(first: first, second: second, confidenceLevel: level)
        pairs.append(FactorialFitJSON.twoWayMeans(first: first, second: second, means: means, design: design))
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

  /// The JSON object: `metric`, `design`, `resolution`, then the keys every factorial fit has
  /// (`FactorialFitJSON`, shared with `strata analyze`), with `confidence_level` and `aliased_terms` added.
  func json() throws -> JSONValue {
    let level = result.coefficients.first?.interval.confidenceLevel ?? 0.95
    var entries = FactorialFitJSON.entries(
      result, design: design, levelDifferences: try levelDifferences(level: level).map(\.1),
      interactionMeans: try interactionMeans(level: level), notes: notes)
    entries.insert(("confidence_level", .number(level)), at: entries.firstIndex { $0.0 == "unit_count" } ?? 0)
    entries.insert(
      ("aliased_terms", FactorialFitJSON.aliasedTerms(result)), at: (entries.firstIndex { $0.0 == "terms" } ?? 0) + 1)
    return .object(
      [
        ("metric", .string(metric)),
        ("design", .string(design.isFractional ? "fractional" : "full")),
        ("resolution", design.resolution.map { .integer($0) } ?? .null),
      ] + entries)
  }

  func table() throws -> String {
    var lines = [
      "Factorial analysis (\(metric), \(result.covariance.rawValue) errors, \(Int(result.unitCount)) units)", "",
    ]
    lines.append("ANOVA (Type \(result.anovaType == .typeIII ? "III" : "II")):")
    lines.append(
      textTable(
        [["term", "df", "F", "p"]]
          + result.anova.map {
            [
              $0.name, String($0.degreesOfFreedom), NumberText.human($0.test.statistic),
              NumberText.human($0.test.pValue),
            ]
          }))
    lines += ["", "Marginal means:"]
    var rows = [["factor", "level", "mean", "ci low", "ci high"]]
    for m in result.marginalMeans.flatMap({ $0 }) {
      rows.append([
        design.factors[m.factor].name, design.factors[m.factor].levels[m.level], NumberText.human(m.estimate),
        NumberText.human(m.interval.lower), NumberText.human(m.interval.upper),
      ])
    }
    lines.append(leftAlignedTable(rows))
    lines += ["", "Levels against the first level (difference of marginal means, treatment − control):"]
    rows = [["factor", "level", "vs", "difference", "ci low", "ci high", "p"]]
    let level = result.coefficients.first?.interval.confidenceLevel ?? 0.95
    for (factor, d) in try levelDifferences(level: level) {
      rows.append([
        factor.name, factor.levels[d.level], factor.levels[0], NumberText.human(d.difference),
        NumberText.human(d.interval.lower),
        NumberText.human(d.interval.upper), NumberText.human(d.test.pValue),
      ])
    }
    lines.append(leftAlignedTable(rows))
    lines += ["", "Cells (simultaneous intervals):"]
    rows = [["cell", "n", "observed", "fitted", "ci low", "ci high", ""]]
    for (index, cell) in result.cells.enumerated() {
      rows.append([
        levels(cell).joined(separator: " × "), String(Int(cell.count)), NumberText.human(cell.observedMean),
        NumberText.human(cell.fitted),
        NumberText.human(cell.simultaneousInterval.lower), NumberText.human(cell.simultaneousInterval.upper),
        index == result.bestCellIndex ? "best" : "",
      ])
    }
    lines.append(textTable(rows))
    lines.append("")
    lines += notes.map { "Note: " + $0 }
    return lines.joined(separator: "\n")
  }
}
