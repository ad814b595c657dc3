import StrataAnalysis
import StrataStats

extension FactorialText {
  /// Plain-words findings of the primary metric's overall fit, for the folded part of the verdict: each
  /// factor's significant level differences and each significant interaction (p below `alpha`, unadjusted,
  /// and said so).
  static func findings(_ factorial: FactorialAnalysis, alpha: Double) -> [String] {
    guard let metric = factorial.metrics.first(where: { $0.metric.role == .primary }) ?? factorial.metrics.first,
      let fit = metric.overall, let result = fit.result
    else { return [] }
    let design = factorial.design
    let binomial = metric.metric.kind == .binomial
    var lines: [String] = []
    for difference in fit.levelDifferences.joined() where difference.test.pValue < alpha {
      let factor = design.factors[difference.factor]
      let others = design.factors.indices.filter { $0 != difference.factor }.map { design.factors[$0].name }
      let level = DecisionText.level(difference.interval.confidenceLevel)
      lines.append(
        "Factorial: \(factor.name)=\(factor.levels[difference.level]) changes \(metric.metric.name) by \(NumberText.effect(difference.difference, binomial: binomial)) against \(factor.levels[0]) (\(level) CI \(NumberText.interval(difference.interval.lower, difference.interval.upper, binomial: binomial)), p = \(NumberText.pValue(difference.test.pValue))), averaged over \(others.joined(separator: " and "))."
      )
    }
    for row in result.anova where row.term.length >= 2 && row.test.pValue < alpha {
      lines.append(
        "Factorial: the \(row.name) interaction is detectable (F = \(NumberText.number(row.test.statistic)), p = \(NumberText.pValue(row.test.pValue))): one factor's effect depends on the other's level; read the interaction plot."
      )
    }
    if !lines.isEmpty {
      lines.append(
        "Factorial p-values are per test, not adjusted across the \(result.anova.count) ANOVA terms; with many factors expect some chance findings."
      )
    } else {
      lines.append(
        "Factorial: no main effect or interaction of \(metric.metric.name) is detectable at α = \(alpha) over all segments."
      )
    }
    if !factorial.aliasingCaveats.isEmpty {
      lines.append("Factorial: this is a fraction; effects carry their aliases (see the aliasing caveat).")
    }
    return lines
  }
}
