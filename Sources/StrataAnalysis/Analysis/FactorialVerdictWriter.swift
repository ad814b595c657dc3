import StrataDesign
import StrataStats

/// Writes the verdict of a factorial experiment from the factorial fit of the primary metric over all
/// segments, not from the pairwise cell-versus-control comparisons.
///
/// The headline says which factors and interactions matter (ANOVA term p below α, per term and said so),
/// the level differences of the main effects that matter (marginal means, treatment − control level,
/// averaged over the other factors), and the best cell with its Šidák simultaneous interval over all cells
/// (docs/factorial.md, "The best cell, honestly"). Tone: positive when a term matters and the best cell is
/// not the all-first-levels (control) cell; negative when a term matters and the control cell is best;
/// inconclusive when no term matters; untrustworthy on a sample ratio mismatch, as `VerdictWriter`.
///
/// The details keep everything else: the factorial findings, then the pairwise verdict (each cell against
/// the control, Holm across cells) as one detail line, then the pairwise details.
struct FactorialVerdictWriter {
  let analysis: Analysis
  let factorial: FactorialAnalysis
  /// The verdict `VerdictWriter` wrote from the pairwise comparisons.
  let pairwise: Verdict

  func verdict() -> Verdict {
    let plan = analysis.plan
    let srmDetails = analysis.sampleRatio.mismatch ? Array(pairwise.details.prefix(1)) : []
    let pairwiseDetails = Array(pairwise.details.dropFirst(srmDetails.count))
    var pairwiseHeadline = pairwise.headline
    if pairwiseHeadline.hasPrefix(VerdictWriter.mismatchPrefix) {
      pairwiseHeadline.removeFirst(VerdictWriter.mismatchPrefix.count)
    }
    let findings = factorial.findings(alpha: plan.alpha)
    guard let metric = factorial.metrics.first(where: { $0.metric.role == .primary }),
      let fit = metric.overall, let result = fit.result
    else {
      // No factorial fit of the primary metric: the pairwise verdict stands, with the findings first.
      return Verdict(tone: pairwise.tone, headline: pairwise.headline, details: srmDetails + findings + pairwiseDetails)
    }
    var (tone, headline) = Self.headline(
      metric: metric, fit: fit, result: result, design: factorial.design, alpha: plan.alpha)
    if analysis.sampleRatio.mismatch {
      tone = .untrustworthy
      headline = VerdictWriter.mismatchPrefix + headline
    }
    let pairwiseLine =
      "Pairwise, each cell against \(plan.control) (Holm across cells; these ignore the factorial structure): \(pairwiseHeadline)"
    return Verdict(tone: tone, headline: headline, details: srmDetails + findings + [pairwiseLine] + pairwiseDetails)
  }

  /// The factorial headline and its tone (before any sample ratio mismatch).
  static func headline(
    metric: FactorialMetricAnalysis, fit: FactorialFit, result: FactorialRegressionResult, design: FactorialDesign,
    alpha: Double
  ) -> (Verdict.Tone, String) {
    let binomial = metric.metric.kind == .binomial
    let name = metric.metric.name
    let detectable = result.anova.filter { $0.test.pValue < alpha }
    let mainEffects = detectable.filter { $0.term.length == 1 }
    let interactions = detectable.filter { $0.term.length >= 2 }
    let best = result.bestCell
    let cellName = zip(design.factors, best.levels).map { "\($0.name)=\($0.levels[$1])" }.joined(separator: ", ")
    let simultaneous = best.simultaneousInterval
    let level = "\(Int((simultaneous.confidenceLevel * 100).rounded()))%"
    let bestSentence =
      "The best cell, \(cellName), is at \(NumberText.level(best.fitted, binomial: binomial)) (\(level) interval simultaneous over all \(result.cells.count) cells, Šidák: [\(NumberText.level(simultaneous.lower, binomial: binomial)), \(NumberText.level(simultaneous.upper, binomial: binomial))])"
    let caveat =
      "P-values are per term (α = \(NumberText.number(alpha, digits: 3)) each), not adjusted across the \(result.anova.count) terms."
    guard !detectable.isEmpty else {
      return (
        .inconclusive,
        "No factor or interaction changes \(name) detectably over all segments (every term p ≥ \(NumberText.number(alpha, digits: 3))). \(bestSentence), which is no evidence that it beats the other cells. \(caveat)"
      )
    }
    var parts: [String] = []
    if !mainEffects.isEmpty {
      let names = mainEffects.map { design.factors[$0.term.factors[0]].name }
      parts.append("\(Self.list(names)) \(names.count == 1 ? "changes" : "change") it")
    }
    for row in interactions {
      let factors = row.term.factors.map { design.factors[$0].name }
      let p = "interaction p = \(NumberText.pValue(row.test.pValue))"
      parts.append(
        factors.count == 2
          ? "the effect of \(factors[0]) depends on \(factors[1]) (\(p))"
          : "the \(factors.joined(separator: " × ")) interaction is detectable (\(p))")
    }
    var headline = "Factorial result for \(name): \(Self.list(parts))."
    var effects: [String] = []
    for row in mainEffects {
      let factorIndex = row.term.factors[0]
      let factor = design.factors[factorIndex]
      let differences = fit.levelDifferences.indices.contains(factorIndex) ? fit.levelDifferences[factorIndex] : []
      let shown = differences.filter { $0.test.pValue < alpha }
      if shown.isEmpty {
        effects.append(
          "\(factor.name) (F = \(NumberText.number(row.test.statistic)), p = \(NumberText.pValue(row.test.pValue)))")
      }
      for d in shown {
        let dLevel = "\(Int((d.interval.confidenceLevel * 100).rounded()))%"
        effects.append(
          "\(factor.name)=\(factor.levels[d.level]) vs \(factor.levels[0]) \(NumberText.effect(d.difference, binomial: binomial)) (\(dLevel) CI \(NumberText.interval(d.interval.lower, d.interval.upper, binomial: binomial))\(binomial ? " pp" : ""), p = \(NumberText.pValue(d.test.pValue)))"
        )
      }
    }
    if !effects.isEmpty {
      headline += " Averaged over the other factors: \(effects.joined(separator: "; "))."
    }
    headline += " \(bestSentence). \(caveat)"
    let controlIsBest = best.levels.allSatisfy { $0 == 0 }
    return (controlIsBest ? .negative : .positive, String(headline))
  }

  /// "a", "a and b", "a, b and c".
  static func list(_ items: [String]) -> String {
    items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
  }
}
