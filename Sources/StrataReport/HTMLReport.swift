import StrataAnalysis
import StrataAssignment
import StrataDefinitions
import StrataStats

/// The self-contained HTML report.
///
/// Inline CSS and SVG, no scripts, no network fonts, so it opens from an email attachment. XHTML-compatible markup
/// (every element closed, only XML's predefined entities) so that tests can check it with an XML parser. Every user-
/// supplied string is escaped.
public enum HTMLReport {
  /// The report; `segments`, when given, is `ReportSegments(analysis)` made once for all the reports of a run.
  public static func render(_ analysis: Analysis, segments: ReportSegments? = nil) -> String {
    let plan = analysis.plan
    var body = ""
    body += "<header><p class=\"kicker\">Experiment report · <code>\(HTML.escape(plan.id))</code></p>"
    body += "<h1>\(HTML.escape(plan.name))</h1>"
    if let hypothesis = plan.hypothesis { body += "<p class=\"hypothesis\">\(HTML.escape(hypothesis))</p>" }
    if plan.segmentsDiscovered {
      body += "<p class=\"hypothesis\">Segments: \(HTML.escape(MarkdownReport.discoveredNote))</p>"
    }
    body +=
      "<p class=\"meta\">\(HTML.escape("\(NumberText.count(analysis.data.units)) units · \(plan.variants.count) variants · \(plan.segments.count) segments · control: \(plan.control) · data: \(MarkdownReport.dataName(analysis.data))"))</p></header>"
    body += srmBanner(analysis)
    body += verdict(analysis)
    body +=
      "<section class=\"scorecard\" aria-label=\"Scorecard\">"
      + HTML.table(
        ReportTables.scorecard(analysis), numericFrom: 2, caption: "Scorecard: every metric for the decision's variant")
      + "</section>"
    if !plan.variantDescriptions.isEmpty {
      body += "<ul class=\"variants\">"
      for variant in plan.variants {
        let role = variant == plan.control && variant != "control" ? " (control)" : ""
        body += "<li><strong>\(HTML.escape(variant + role))</strong>"
        if let description = plan.variantDescriptions[variant] { body += ": \(HTML.escape(description))" }
        body += "</li>"
      }
      body += "</ul>"
    }
    body += factorialSection(analysis)
    body += sequentialSection(analysis)
    let shown = segments ?? ReportSegments(analysis)
    if let note = shown.note(resultsFile: "\(plan.id)-results.csv") {
      body += "<p class=\"note segments-shown\">\(HTML.escapeWithCode(note))</p>"
    }
    for (role, title) in [
      (Metric.Role.primary, "Primary metric"), (.secondary, "Secondary metric"), (.guardrail, "Guardrail"),
    ] {
      for metric in analysis.metrics(role: role) {
        body += section(metric, title: title, analysis: analysis, segments: shown)
      }
    }
    if plan.segmentsDiscovered, let contrasts = ReportTables.segmentVsRest(analysis, segments: shown) {
      body +=
        "<section class=\"segment-vs-rest\"><h2>Each segment against the rest</h2><p class=\"note\">"
        + HTML.escape(ReportTables.segmentVsRestNote(analysis, segments: shown)) + "</p>"
        + HTML.table(contrasts, numericFrom: 3) + "</section>"
    }
    body +=
      "<section><h2>Sample ratio check</h2><p class=\"note\">\(HTML.escape("Observed units per variant against the planned split (Pearson χ², Holm-adjusted across segments; a mismatch is declared below p = \(analysis.sampleRatio.threshold))."))</p>"
    let srmNumericFrom = plan.variants.count > ReportTables.sampleRatioWideLimit ? 2 : 1
    body +=
      HTML.table(
        ReportTables.sampleRatio(analysis.sampleRatio, plan: plan, segments: shown), numericFrom: srmNumericFrom)
      + "</section>"
    body +=
      "<section><h2>Plan vs observed</h2>"
      + HTML.table(ReportTables.planVersusObserved(analysis, segments: shown), numericFrom: 9)
      + "</section>"
    body += dataSection(analysis)
    body += "<section class=\"glossary\"><h2>Glossary</h2><dl>"
    for (term, definition) in ReportTables.glossary(for: analysis) {
      body += "<dt>\(HTML.escape(term))</dt><dd>\(HTML.escape(definition))</dd>"
    }
    body += "</dl></section>"
    body +=
      "<footer>" + ReportTables.footer(analysis).map { "<p>\(HTML.escape($0))</p>" }.joined() + "</footer>"
    return """
      <!DOCTYPE html>
      <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
      <head>
      <meta charset="utf-8"/>
      <meta name="viewport" content="width=device-width, initial-scale=1"/>
      <title>\(HTML.escape(plan.name)): experiment report</title>
      <style>\(HTMLStyle.css)</style>
      </head>
      <body><main>
      \(body)
      </main></body>
      </html>

      """
  }

  private static func srmBanner(_ analysis: Analysis) -> String {
    let srm = analysis.sampleRatio
    if srm.mismatch {
      let segments = srm.segments.filter(\.mismatch).compactMap(\.segment)
      let place = segments.isEmpty ? "overall" : "in " + ReportSegments.list(segments)
      return
        "<div class=\"banner srm-bad\" role=\"alert\"><strong>Sample ratio mismatch \(HTML.escape(place)).</strong> \(HTML.escape("The split of units between variants does not match the plan (overall p = \(NumberText.pValue(srm.overall.pValue))). The assignment or the data pipeline is likely broken: do not act on these results until the cause is found."))</div>"
    }
    return
      "<div class=\"banner srm-ok\"><strong>Sample ratio check passed.</strong> \(HTML.escape("The split of units matches the plan (overall p = \(NumberText.pValue(srm.overall.pValue)); no segment below \(srm.threshold) after Holm's adjustment)."))</div>"
  }

  private static func verdict(_ analysis: Analysis) -> String {
    let d = analysis.decision
    let tone = DecisionText.tone(d).rawValue
    var out =
      "<section class=\"verdict \(tone) action-\(d.action.rawValue)\" aria-labelledby=\"decision\"><h2 id=\"decision\" class=\"verdict-label\">\(HTML.escape("Decision: " + DecisionText.label(d)))</h2><p class=\"headline\">\(HTML.escape(DecisionText.headline(analysis)))</p>"
    let bullets = DecisionText.bullets(analysis)
    if !bullets.isEmpty {
      out += "<ul>" + bullets.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>"
    }
    out += "<p class=\"next-step\"><strong>Next step:</strong> \(HTML.escape(DecisionText.nextStep(analysis)))</p>"
    let more = DecisionText.moreDetails(analysis)
    if !more.isEmpty {
      out +=
        "<details><summary>More about this decision</summary><ul>" + more.map { "<li>\(HTML.escape($0))</li>" }.joined()
        + "</ul></details>"
    }
    return out + "</section>"
  }

  private static func section(
    _ metric: MetricAnalysis, title: String, analysis: Analysis, segments: ReportSegments
  ) -> String {
    let plan = analysis.plan
    let heading = "\(title): \(metric.metric.name)"
    var out = "<section><h2>\(HTML.escape(heading))</h2>"
    var note =
      metric.metric.description.map { "\($0) (\(ReportTables.kindLabel(metric.metric))). " }
      ?? (metric.metric.needsJointMoments
        ? "\(ReportTables.kindLabel(metric.metric).prefix(1).uppercased() + ReportTables.kindLabel(metric.metric).dropFirst()). "
        : "\(metric.metric.kind.name.capitalized) metric. ")
    if analysis.family.contains(metric: metric.metric.name) {
      note +=
        "Multiple testing: \(analysis.family.description); \(analysis.family.size) comparisons, \(analysis.family.correction.rawValue)-adjusted at α = \(analysis.family.alpha)."
    } else {
      note +=
        "Not in the corrected family: p-values are \(ReportTables.uncorrected(metric.metric))\(metric.metric.role == .guardrail ? "; a guardrail flags any significant change" : "")."
    }
    out += "<p class=\"note\">\(HTML.escape(note))</p>"
    if let charts = ForestPlot.charts(metric, plan: plan, segments: segments, heading: heading) {
      // On a phone the chart laid out for its width, the whole elsewhere; a tall chart prints as blocks of rows
      // (each with its axis, on the same scale).
      let svg =
        charts.printBlocks.isEmpty
        ? "<div class=\"forest-wide\">\(charts.whole)</div><div class=\"forest-phone\">\(charts.phone)</div>"
        : "<div class=\"forest-wide screen-only\">\(charts.whole)</div><div class=\"forest-phone\">\(charts.phone)</div>"
          + "<div class=\"print-only\">\(charts.printBlocks.joined())</div>"
      out +=
        "<figure>\(svg)<figcaption>\(HTML.escape(ReportTables.forestCaption(metric, plan: plan)))</figcaption></figure>"
    }
    out += HTML.resultsTable(ReportTables.metric(metric, plan: plan, segments: segments, chanceToWin: true))
    if let note = ReportTables.bayesianNote(metric, plan: plan),
      let bayesian = ReportTables.bayesian(metric, plan: plan, segments: segments)
    {
      out += "<p class=\"note\">\(HTML.escape(note))</p>"
      out +=
        "<details class=\"bayesian\"><summary>\(HTML.escape(ReportTables.bayesianSummaryTitle(metric, plan: plan)))</summary>"
        + HTML.resultsTable(bayesian, numericFrom: 2) + "</details>"
    }
    if let adjustment = ReportTables.adjustment(metric, plan: plan, segments: segments) {
      out += "<h3>Adjusted (\(HTML.escape(metric.metric.adjustmentName))) beside unadjusted</h3>"
      out += "<p class=\"note\">\(HTML.escape(ReportTables.adjustmentExplanation(metric.metric)))</p>"
      out += HTML.resultsTable(adjustment, numericFrom: 2)
    }
    if !metric.pooled.isEmpty {
      out += "<p class=\"note\">\(HTML.escape(ReportTables.quoteThePooledEstimate))</p>"
      out += "<h3>Pooled across segments (all segments, stratified)</h3>"
      out += HTML.table(ReportTables.pooled(metric, plan: plan), numericFrom: 1)
    }
    if !metric.postStratified.isEmpty {
      out += "<h3>Post-stratified across segments</h3>"
      out += "<p class=\"note\">\(HTML.escape(PostStratifiedComparison.estimand))</p>"
      let tables = ReportTables.postStratifiedTables(metric, plan: plan, segments: segments)
      out += HTML.table(tables[0], numericFrom: 1)
      if tables.count > 1 {
        out += HTML.table(
          tables[1], numericFrom: 1, caption: ReportTables.postStratifiedWeightsTitle,
          class: tables[1].header.count == 2 ? "pairs" : nil)
      }
    }
    if !metric.partialPooling.isEmpty {
      out +=
        "<h3>Partial pooling across segments</h3><p class=\"note\">\(HTML.escape(ReportTables.partialPoolingNote(plan: plan)))</p>"
      for note in ReportTables.sharedNotes(metric) { out += "<p class=\"note\">\(HTML.escape(note))</p>" }
      out += HTML.resultsTable(
        ReportTables.partialPooling(metric, plan: plan, segments: segments, sharedNotesApart: true), numericFrom: 2)
      out += HTML.table(ReportTables.randomEffects(metric, plan: plan), numericFrom: 1)
    }
    return out + "</section>"
  }

  private static func dataSection(_ analysis: Analysis) -> String {
    let data = analysis.data
    var out =
      "<section><h2>Data</h2><p>\(HTML.escape("\(NumberText.count(data.rowsRead)) rows read (\(data.format.rawValue)), \(NumberText.count(data.rowsUsed)) used, \(NumberText.count(data.issues.total)) dropped. Duplicate units \(data.duplicatesChecked ? "were" : "were not") checked."))</p>"
    if let missing = ReportTables.missingValuesSentence(analysis) { out += "<p>\(HTML.escape(missing))</p>" }
    if data.issues.total > 0 { out += HTML.table(ReportTables.dataIssues(data), numericFrom: 1) }
    if !analysis.warnings.isEmpty {
      out +=
        "<h3>Warnings</h3><ul class=\"warnings\">" + analysis.warnings.map { "<li>\(HTML.escape($0))</li>" }.joined()
        + "</ul>"
    }
    return out + "</section>"
  }
}
