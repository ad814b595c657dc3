import StrataAnalysis

extension HTMLReport {
  /// The factorial section (empty for a non-factorial analysis): design, aliasing caveat, and per metric
  /// the interaction plot, effects, ANOVA, marginal means, cells and per-segment effects.
  static func factorialSection(_ analysis: Analysis) -> String {
    guard let factorial = analysis.factorial else { return "" }
    let design = factorial.design
    var out =
      "<section class=\"factorial\"><h2>\(HTML.escape("Factorial analysis: \(design.factors.map(\.name).joined(separator: " × "))"))</h2>"
    out += "<p class=\"note\">\(HTML.escape(FactorialText.description(factorial)))</p>"
    if !factorial.aliasingCaveats.isEmpty {
      out +=
        "<div class=\"banner\" style=\"background:#fff6e0;border-color:#f0d28a;color:#8a5a00\"><strong>Aliasing.</strong><ul>"
      out += factorial.aliasingCaveats.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul></div>"
    }
    for metric in factorial.metrics {
      let binomial = metric.metric.kind == .binomial
      out += "<h3>\(HTML.escape(metric.metric.name))</h3>"
      out +=
        "<ul class=\"note\">" + FactorialTables.notes(factorial, metric).map { "<li>\(HTML.escape($0))</li>" }.joined()
        + "</ul>"
      guard let fit = metric.overall, fit.result != nil else { continue }
      if let svg = InteractionPlot.svg(fit, design: design, metric: metric.metric.name, binomial: binomial) {
        let modelled = fit.result?.anova.contains { $0.term.length == 2 } ?? false
        let caption =
          modelled
          ? "Two-way marginal means of the pair with the largest interaction F, all segments, with 95% pointwise intervals. Parallel lines: no interaction."
          : "Two-way marginal means of the first two factors, all segments, with 95% pointwise intervals; the model has no two-factor interactions, so the lines are parallel by construction."
        let legend = InteractionPlot.legend(fit, design: design)
        out += "<figure>\(legend)\(svg)<figcaption>\(HTML.escape(caption))</figcaption></figure>"
      }
      out += HTML.table(
        FactorialTables.effects(fit, design: design, binomial: binomial), numericFrom: 2,
        caption: "Effects: each level vs the factor's first level (difference of marginal means)")
      out += HTML.table(FactorialTables.anova(fit), numericFrom: 1, caption: "ANOVA (Type III, robust)")
      out += HTML.table(
        FactorialTables.marginalMeans(fit, design: design, binomial: binomial), numericFrom: 2,
        caption: "Marginal means")
      out += HTML.table(
        FactorialTables.cells(fit, design: design, binomial: binomial), numericFrom: 1,
        caption: "Cells (intervals simultaneous over all cells)")
      if metric.fits.count > 1 {
        out += HTML.table(FactorialTables.segments(metric, design: design), numericFrom: 2, caption: "Per segment")
      }
    }
    return out + "</section>"
  }
}
