import StrataAnalysis

/// The factorial section of the terminal output, the Markdown report and the HTML report: per metric, the
/// overall effects, ANOVA, marginal means and cells, then the per-segment effects, and the aliasing caveat.
enum FactorialText {
  /// Terminal lines (empty for a non-factorial analysis).
  static func lines(_ analysis: Analysis) -> [String] {
    guard let factorial = analysis.factorial else { return [] }
    let design = factorial.design
    var out = [
      "", "Factorial analysis: \(design.factors.map(\.name).joined(separator: " × ")) (\(design.runs.count) cells)",
    ]
    for caveat in factorial.aliasingCaveats { out.append("  ! \(caveat)") }
    for metric in factorial.metrics {
      let binomial = metric.metric.kind == .binomial
      out.append("")
      out.append("\(metric.metric.name) (\(metric.metric.kind.name), \(metric.metric.role.rawValue)):")
      for note in FactorialTables.notes(factorial, metric) { out.append("  \(note)") }
      guard let fit = metric.overall, fit.result != nil else { continue }
      out.append("Effects (all segments; each level vs the factor's first level):")
      out.append(AnalysisText.table(FactorialTables.effects(fit, design: design, binomial: binomial)))
      out.append("ANOVA (Type III):")
      out.append(AnalysisText.table(FactorialTables.anova(fit)))
      out.append("Marginal means:")
      out.append(AnalysisText.table(FactorialTables.marginalMeans(fit, design: design, binomial: binomial)))
      out.append("Cells:")
      out.append(AnalysisText.table(FactorialTables.cells(fit, design: design, binomial: binomial)))
      if metric.fits.count > 1 {
        out.append("Per segment:")
        out.append(AnalysisText.table(FactorialTables.segments(metric, design: design)))
      }
    }
    out.append("")
    out.append(
      "Pairwise cell-vs-control comparisons follow; the factorial effects above use every unit and are the primary reading."
    )
    return out
  }

  /// Markdown lines (empty for a non-factorial analysis).
  static func markdown(_ analysis: Analysis) -> [String] {
    guard let factorial = analysis.factorial else { return [] }
    let design = factorial.design
    var out = [
      "## Factorial analysis: \(MarkdownReport.escape(design.factors.map(\.name).joined(separator: " × ")))", "",
    ]
    out.append(MarkdownReport.escape(description(factorial)))
    out.append("")
    if !factorial.aliasingCaveats.isEmpty {
      out.append("**Warning: aliasing.**")
      out.append("")
      for caveat in factorial.aliasingCaveats { out.append("- \(MarkdownReport.escape(caveat))") }
      out.append("")
    }
    for metric in factorial.metrics {
      let binomial = metric.metric.kind == .binomial
      out.append("### \(MarkdownReport.escape(metric.metric.name))")
      out.append("")
      for note in FactorialTables.notes(factorial, metric) { out.append("- \(MarkdownReport.escape(note))") }
      out.append("")
      guard let fit = metric.overall, fit.result != nil else { continue }
      for (title, table) in [
        (
          "Effects (each level vs the factor's first level)",
          FactorialTables.effects(fit, design: design, binomial: binomial)
        ),
        ("ANOVA (Type III)", FactorialTables.anova(fit)),
        ("Marginal means", FactorialTables.marginalMeans(fit, design: design, binomial: binomial)),
        ("Cells", FactorialTables.cells(fit, design: design, binomial: binomial)),
      ] + (metric.fits.count > 1 ? [("Per segment", FactorialTables.segments(metric, design: design))] : []) {
        out.append("**\(title)**")
        out.append("")
        out.append(MarkdownReport.table(table))
        out.append("")
      }
    }
    return out
  }

  /// One sentence describing the design.
  static func description(_ factorial: FactorialAnalysis) -> String {
    let design = factorial.design
    let shape = design.factors.map { "\($0.levelCount)" }.joined(separator: " × ")
    let kind =
      design.isFractional
      ? "a 2^(\(design.factors.count)−\(design.fractionExponent)) fractional factorial (\(design.runs.count) cells)"
      : "a \(shape) full factorial (\(design.runs.count) cells)"
    return
      "The variants are the cells of \(kind). Each factor's effect is estimated from every unit, averaged over the other factors' levels; interactions say whether one factor's effect depends on another's level."
  }
}
