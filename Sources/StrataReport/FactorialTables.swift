import StrataAnalysis
import StrataDesign
import StrataStats

/// The factorial tables every rendering shares (terminal, Markdown, HTML): effects, ANOVA, marginal means,
/// cells, and per-segment effects.
public enum FactorialTables {
  /// Each level against its factor's first level (difference of marginal means, treatment − control).
  public static func effects(_ fit: FactorialFit, design: FactorialDesign, binomial: Bool) -> ReportTables.Table {
    var rows: [[String]] = []
    var classes: [String] = []
    for differences in fit.levelDifferences {
      for d in differences {
        let factor = design.factors[d.factor]
        rows.append([
          factor.name, "\(factor.levels[d.level]) vs \(factor.levels[0])",
          NumberText.effect(d.difference, binomial: binomial),
          NumberText.interval(d.interval.lower, d.interval.upper, binomial: binomial), NumberText.pValue(d.test.pValue),
        ])
        classes.append(style(d.test.pValue, d.difference))
      }
    }
    return ReportTables.Table(
      header: ["Factor", "Level vs baseline", binomial ? "Difference (pp)" : "Difference", "95% CI", "p"], rows: rows,
      classes: classes)
  }

  /// The Type III ANOVA: one F test per main effect and estimable interaction, with its aliases.
  public static func anova(_ fit: FactorialFit) -> ReportTables.Table {
    guard let result = fit.result else { return ReportTables.Table(header: [], rows: [], classes: []) }
    let aliases = Dictionary(result.terms.map { ($0.term, $0.aliasedWith) }, uniquingKeysWith: { first, _ in first })
    var rows: [[String]] = []
    var classes: [String] = []
    for row in result.anova {
      let aliased = (aliases[row.term] ?? []).map { result.model.name(of: $0) }.joined(separator: ", ")
      rows.append([
        row.name, "\(row.degreesOfFreedom)", NumberText.number(row.test.statistic, digits: 2),
        NumberText.pValue(row.test.pValue), aliased.isEmpty ? "—" : aliased,
      ])
      classes.append(row.test.pValue < 0.05 ? "significant-up" : "")
    }
    return ReportTables.Table(header: ["Term", "df", "F", "p", "Aliased with"], rows: rows, classes: classes)
  }

  /// Estimated marginal means per level, averaged with equal weight over the other factors.
  public static func marginalMeans(_ fit: FactorialFit, design: FactorialDesign, binomial: Bool) -> ReportTables.Table {
    guard let result = fit.result else { return ReportTables.Table(header: [], rows: [], classes: []) }
    var rows: [[String]] = []
    for means in result.marginalMeans {
      for m in means {
        let factor = design.factors[m.factor]
        rows.append([
          factor.name, factor.levels[m.level], NumberText.level(m.estimate, binomial: binomial),
          range(m.interval, binomial: binomial),
        ])
      }
    }
    return ReportTables.Table(
      header: ["Factor", "Level", binomial ? "Rate" : "Mean", "95% CI"], rows: rows,
      classes: rows.map { _ in "" })
  }

  /// Every cell: units, observed and fitted mean, the Šidák simultaneous interval; the best cell flagged.
  public static func cells(_ fit: FactorialFit, design: FactorialDesign, binomial: Bool) -> ReportTables.Table {
    guard let result = fit.result else { return ReportTables.Table(header: [], rows: [], classes: []) }
    var rows: [[String]] = []
    var classes: [String] = []
    for (index, cell) in result.cells.enumerated() {
      let name = zip(design.factors, cell.levels).map { $0.levels[$1] }.joined(separator: " × ")
      rows.append([
        name, NumberText.count(cell.count), NumberText.level(cell.observedMean, binomial: binomial),
        NumberText.level(cell.fitted, binomial: binomial), range(cell.simultaneousInterval, binomial: binomial),
        index == result.bestCellIndex ? "best" : "",
      ])
      classes.append(index == result.bestCellIndex ? "overall" : "")
    }
    let level = NumberText.number(100 * result.perCellConfidenceLevel, digits: 2)
    return ReportTables.Table(
      header: ["Cell", "n", "Observed", "Fitted", "Simultaneous CI (\(level)% each)", "Flags"], rows: rows,
      classes: classes)
  }

  /// Per segment: each level's difference and every interaction's F test.
  public static func segments(_ metric: FactorialMetricAnalysis, design: FactorialDesign) -> ReportTables.Table {
    let binomial = metric.metric.kind == .binomial
    var rows: [[String]] = []
    var classes: [String] = []
    for fit in metric.fits where fit.segment != nil {
      let segment = fit.segment ?? ""
      guard let result = fit.result else {
        rows.append([segment, fit.notes.first ?? "no model", "", "", ""])
        classes.append("")
        continue
      }
      for d in fit.levelDifferences.joined() {
        let factor = design.factors[d.factor]
        rows.append([
          segment, "\(factor.name): \(factor.levels[d.level]) vs \(factor.levels[0])",
          NumberText.effect(d.difference, binomial: binomial),
          NumberText.interval(d.interval.lower, d.interval.upper, binomial: binomial), NumberText.pValue(d.test.pValue),
        ])
        classes.append(style(d.test.pValue, d.difference))
      }
      for row in result.anova where row.term.length >= 2 {
        rows.append([
          segment, "\(row.name) (interaction, F = \(NumberText.number(row.test.statistic)))", "", "",
          NumberText.pValue(row.test.pValue),
        ])
        classes.append(row.test.pValue < 0.05 ? "significant-up" : "")
      }
    }
    return ReportTables.Table(
      header: ["Segment", "Effect", binomial ? "Difference (pp)" : "Difference", "95% CI", "p"], rows: rows,
      classes: classes)
  }

  /// Plain-words lines under the tables: model, errors, the best cell, aliasing.
  public static func notes(_ factorial: FactorialAnalysis, _ metric: FactorialMetricAnalysis) -> [String] {
    var notes: [String] = []
    let binomial = metric.metric.kind == .binomial
    if let fit = metric.overall, let result = fit.result {
      notes.append(
        "\(binomial ? "Linear probability model" : "Linear model") on effect-coded factors, \(result.covariance == .classical ? "classical" : "\(result.covariance.rawValue.uppercased()) (robust)") standard errors, Type III ANOVA; \(NumberText.count(result.unitCount)) units, \(result.model.terms.count) terms."
      )
      let best = result.bestCell
      let name = zip(factorial.design.factors, best.levels).map { "\($0.name)=\($0.levels[$1])" }.joined(
        separator: ", ")
      notes.append(
        "Best cell: \(name) at \(NumberText.level(best.fitted, binomial: binomial)); its honest interval, simultaneous over all \(result.cells.count) cells (Šidák), is \(range(best.simultaneousInterval, binomial: binomial))."
      )
      notes += fit.notes
    } else if let fit = metric.overall {
      notes += fit.notes
    }
    return notes
  }

  static func range(_ interval: ConfidenceInterval, binomial: Bool) -> String {
    "[\(NumberText.level(interval.lower, binomial: binomial)), \(NumberText.level(interval.upper, binomial: binomial))]"
  }

  private static func style(_ p: Double, _ difference: Double) -> String {
    p < 0.05 ? (difference > 0 ? "significant-up" : "significant-down") : ""
  }
}
