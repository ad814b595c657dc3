import StrataAnalysis
import StrataStats

/// The terminal rendering of an analysis: the SRM check first, then the verdict, then tables.
public enum AnalysisText {
  /// The analysis as text, its prose broken at `width` when given.
  ///
  /// With `width` (a terminal's columns), each line of prose longer than that is broken at spaces (`wrapped`),
  /// tables left as they are. Without, the lines as they always were (what pipes, files, the oracle and the tests
  /// read). `segments`, when given, is `ReportSegments(analysis)` made once for the reports and the text of a run.
  public static func render(_ analysis: Analysis, width: Int? = nil, segments: ReportSegments? = nil) -> String {
    let out = lines(analysis, segments: segments)
    guard let width else { return out.joined(separator: "\n") }
    // A table is one entry of several lines (`table`); prose, one line an entry, broken as it is printed: with
    // controls and bidi overrides from names escaped (`DisplayText.escaped`, as the CLI prints it: `\u{1B}` takes 7
    // columns).
    return out.map { entry in
      entry.contains("\n") ? entry : wrapped(DisplayText.escaped(entry, keeping: ["\t"]), width: width)
    }.joined(separator: "\n")
  }

  /// The entries of the text, in order: a line of prose each, or a whole table.
  static func lines(_ analysis: Analysis, segments: ReportSegments? = nil) -> [String] {
    let plan = analysis.plan
    var out: [String] = []
    out.append("\(plan.name) (\(plan.id)): \(NumberText.count(analysis.data.units)) units from \(analysis.data.file)")
    out.append("")
    let srm = analysis.sampleRatio
    if srm.mismatch {
      out.append(
        "!! SAMPLE RATIO MISMATCH: the split of units does not match the plan (overall p = \(NumberText.pValue(srm.overall.pValue)); threshold \(srm.threshold))."
      )
      out.append("!! Every result below is suspect until the cause is found.")
    } else {
      out.append(
        "Sample ratio check: OK (overall p = \(NumberText.pValue(srm.overall.pValue)); no segment below \(srm.threshold) after Holm)."
      )
    }
    let shown = segments ?? ReportSegments(analysis)
    if let note = shown.note(resultsFile: nil) { out.append(note) }
    out.append(table(ReportTables.sampleRatio(srm, plan: plan, segments: shown)))
    out.append("")
    out.append("Decision: \(DecisionText.label(analysis.decision))")
    out.append(DecisionText.headline(analysis))
    for bullet in DecisionText.bullets(analysis) { out.append("  - \(bullet)") }
    out.append("Next step: \(DecisionText.nextStep(analysis))")
    out.append(table(ReportTables.scorecard(analysis)))
    let more = DecisionText.moreDetails(analysis)
    if !more.isEmpty {
      out.append("More:")
      for detail in more { out.append("  - \(detail)") }
    }
    out += FactorialText.lines(analysis)
    out += sequentialLines(analysis)
    for role in [StrataDefinitions.Metric.Role.primary, .secondary, .guardrail] {
      for metric in analysis.metrics(role: role) {
        out.append("")
        out.append(
          "\(role.rawValue.capitalized) metric: \(metric.metric.name) (\(ReportTables.kindLabel(metric.metric)))")
        if analysis.family.contains(metric: metric.metric.name) {
          out.append(
            "Multiple testing: \(analysis.family.description), \(analysis.family.size) comparisons, \(analysis.family.correction.rawValue)-adjusted at α = \(analysis.family.alpha)."
          )
        } else {
          out.append("Not in the corrected family: p-values are \(ReportTables.uncorrected(metric.metric)).")
        }
        out.append(table(ReportTables.metric(metric, plan: plan, segments: shown)))
        if let adjustment = ReportTables.adjustment(metric, plan: plan, segments: shown) {
          out.append("Adjusted (\(metric.metric.adjustmentName)) beside unadjusted:")
          out.append(table(adjustment))
        }
        if !metric.pooled.isEmpty {
          out.append(ReportTables.quoteThePooledEstimate)
          out.append("Pooled across segments (all segments, stratified):")
          out.append(table(ReportTables.pooled(metric, plan: plan)))
        }
        if !metric.postStratified.isEmpty {
          out.append("Post-stratified across segments (segments weighted by their share of units):")
          // As the HTML and Markdown reports: weights longer than `inlineWeights` characters are a table of their own,
          // a row a segment; in the row, forty segments with long names made each line 2,420 characters. Without
          // the weights the estimates end with their p-value, right-aligned.
          let tables = ReportTables.postStratifiedTables(metric, plan: plan, segments: shown)
          out.append(table(tables[0]))
          if tables.count > 1 {
            out.append("\(ReportTables.postStratifiedWeightsTitle):")
            out.append(table(tables[1]))
          }
        }
        if !metric.partialPooling.isEmpty {
          out.append("Partial pooling across segments (raw and shrunken estimates):")
          // A note every segment of a variant shares, once above the table, as the HTML and Markdown reports say it:
          // on its forty rows it doubled each line's width with the same 95 characters.
          out += ReportTables.sharedNotes(metric)
          let pooling = ReportTables.partialPooling(metric, plan: plan, segments: shown, sharedNotesApart: true)
          out.append(table(pooling))
          out.append(table(ReportTables.randomEffects(metric, plan: plan)))
        }
      }
    }
    if plan.segmentsDiscovered, let contrasts = ReportTables.segmentVsRest(analysis, segments: shown) {
      out.append("")
      out.append("Segments: \(MarkdownReport.discoveredNote)")
      out.append("Each segment against the rest: \(ReportTables.segmentVsRestNote(analysis, segments: shown))")
      out.append(table(contrasts))
    }
    out.append("")
    let data = analysis.data
    out.append(
      "Data: \(NumberText.count(data.rowsRead)) rows read (\(data.format.rawValue)), \(NumberText.count(data.rowsUsed)) used, \(NumberText.count(data.issues.total)) dropped\(data.duplicatesChecked ? "; duplicate units checked" : "")."
    )
    if let missing = ReportTables.missingValuesSentence(analysis) { out.append(missing) }
    if data.issues.total > 0 { out.append(table(ReportTables.dataIssues(data))) }
    if !analysis.warnings.isEmpty {
      out.append("")
      out.append("Warnings:")
      for warning in analysis.warnings { out.append("  - \(warning)") }
    }
    return out
  }

  /// An aligned plain-text table: a column after the first that reads as numbers is right-aligned, every other
  /// column left-aligned, by content as the Markdown tables (`ReportTables.Table.numericColumns(from: 1)`).
  ///
  /// By position (the first two columns left, the rest right) the numbers of a table with one label column
  /// ("+2.7 pp" under "Pooled lift", "3,940 / 4,000" under a variant's units in the sample ratio check) were
  /// left-aligned and words such as a test's name ("z", "welch") right-aligned.
  static func table(_ table: ReportTables.Table) -> String {
    let rows = [table.header] + table.rows
    let numeric = table.numericColumns(from: 1)
    var widths = [Int](repeating: 0, count: table.header.count)
    for row in rows {
      for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
    }
    return rows.map { row in
      row.enumerated().map { i, cell in
        let pad = String(repeating: " ", count: max(0, (i < widths.count ? widths[i] : cell.count) - cell.count))
        return i < numeric.count && numeric[i] ? pad + cell : cell + pad
      }.joined(separator: "  ").trimmingTrailingSpaces
    }.joined(separator: "\n")
  }
}

import StrataAssignment
import StrataDefinitions

extension String {
  var trimmingTrailingSpaces: String {
    var s = Substring(self)
    while s.last == " " { s.removeLast() }
    return String(s)
  }
}
