import StrataAnalysis
import StrataAssignment
import StrataDefinitions
import StrataStats

/// The GitHub-flavoured Markdown report: the same content as the HTML report, as headings and tables.
public enum MarkdownReport {
  /// Said wherever a report shows segments found by `strata discover`.
  static let discoveredNote =
    "discovered by clustering (strata discover), not planned. Their effects are confirmatory only on units "
    + "the discovery did not read: the confirmation half or a later campaign."

  /// The report; `segments`, when given, is `ReportSegments(analysis)` made once for all the reports of a run.
  public static func render(_ analysis: Analysis, segments: ReportSegments? = nil) -> String {
    let plan = analysis.plan
    var out: [String] = []
    out.append("# \(escape(plan.name)): experiment report")
    out.append("")
    out.append(
      "Experiment `\(code(plan.id))` · \(NumberText.count(analysis.data.units)) units · data `\(code(dataName(analysis.data)))` · control: **\(escape(plan.control))**"
    )
    out.append("")
    let srm = analysis.sampleRatio
    if srm.mismatch {
      out.append(
        "**Warning: sample ratio mismatch.** The split of units between variants does not match the plan (overall p = \(NumberText.pValue(srm.overall.pValue))). The assignment or the data pipeline is likely broken: do not act on these results until the cause is found."
      )
    } else {
      out.append(
        "**Note:** sample ratio check passed. The split of units matches the plan (overall p = \(NumberText.pValue(srm.overall.pValue)); no segment below \(srm.threshold) after Holm's adjustment)."
      )
    }
    out.append("")
    out += decisionSection(analysis)
    if let hypothesis = plan.hypothesis {
      out.append("*Hypothesis:* \(escape(hypothesis))")
      out.append("")
    }
    if plan.segmentsDiscovered {
      out.append("*Segments:* \(discoveredNote)")
      out.append("")
    }
    if !plan.variantDescriptions.isEmpty {
      for variant in plan.variants {
        let role = variant == plan.control && variant != "control" ? " (control)" : ""
        let description = plan.variantDescriptions[variant].map { ": \(escape($0))" } ?? ""
        out.append("- **\(escape(variant + role))**\(description)")
      }
      out.append("")
    }
    out += FactorialText.markdown(analysis)
    out += sequentialSection(analysis)
    let shown = segments ?? ReportSegments(analysis)
    if let note = shown.note(resultsFile: "\(plan.id)-results.csv") {
      out.append("*Segments:* \(escapeWithCode(note))")
      out.append("")
    }
    for (role, title) in [
      (Metric.Role.primary, "Primary metric"), (.secondary, "Secondary metric"), (.guardrail, "Guardrail"),
    ] {
      for metric in analysis.metrics(role: role) {
        out.append("## \(title): \(escape(metric.metric.name))")
        out.append("")
        if let description = metric.metric.description {
          out.append("\(escape(description)) (\(escape(ReportTables.kindLabel(metric.metric))))."); out.append("")
        } else if metric.metric.needsJointMoments {
          out.append("\(escape(ReportTables.kindLabel(metric.metric)))."); out.append("")
        }
        if analysis.family.contains(metric: metric.metric.name) {
          out.append(
            "Multiple testing: \(escape(analysis.family.description)); \(analysis.family.size) comparisons, \(analysis.family.correction.rawValue)-adjusted at α = \(analysis.family.alpha)."
          )
        } else {
          out.append(
            "Not in the corrected family: p-values are \(ReportTables.uncorrected(metric.metric))\(role == .guardrail ? "; a guardrail flags any significant change" : "")."
          )
        }
        out.append("")
        out.append(resultsTable(ReportTables.metric(metric, plan: plan, segments: shown, chanceToWin: true)))
        if let note = ReportTables.bayesianNote(metric, plan: plan),
          let bayesian = ReportTables.bayesian(metric, plan: plan, segments: shown)
        {
          out.append("")
          out.append(escape(note))
          out.append("")
          out.append(
            "<details><summary>\(escape(ReportTables.bayesianSummaryTitle(metric, plan: plan)))</summary>\n\n"
              + resultsTable(bayesian, fold: false) + "\n\n</details>")
        }
        if let adjustment = ReportTables.adjustment(metric, plan: plan, segments: shown) {
          out.append("")
          out.append("**Adjusted (\(escape(metric.metric.adjustmentName))) beside unadjusted**")
          out.append("")
          out.append(escape(ReportTables.adjustmentExplanation(metric.metric)))
          out.append("")
          out.append(resultsTable(adjustment))
        }
        if !metric.pooled.isEmpty {
          out.append("")
          out.append(escape(ReportTables.quoteThePooledEstimate))
          out.append("")
          out.append("**Pooled across segments (all segments, stratified)**")
          out.append("")
          out.append(table(ReportTables.pooled(metric, plan: plan)))
        }
        if !metric.postStratified.isEmpty {
          out.append("")
          out.append("**Post-stratified across segments**")
          out.append("")
          out.append(escape(PostStratifiedComparison.estimand))
          out.append("")
          let tables = ReportTables.postStratifiedTables(metric, plan: plan, segments: shown)
          out.append(table(tables[0]))
          if tables.count > 1 {
            out.append("")
            out.append("*\(escape(ReportTables.postStratifiedWeightsTitle))*")
            out.append("")
            out.append(table(tables[1]))
          }
        }
        if !metric.partialPooling.isEmpty {
          out.append("")
          out.append("**Partial pooling across segments**")
          out.append("")
          out.append(escape(ReportTables.partialPoolingNote(plan: plan)))
          out.append("")
          for note in ReportTables.sharedNotes(metric) {
            out.append(escape(note))
            out.append("")
          }
          out.append(
            resultsTable(ReportTables.partialPooling(metric, plan: plan, segments: shown, sharedNotesApart: true)))
          out.append("")
          out.append(table(ReportTables.randomEffects(metric, plan: plan)))
        }
        out.append("")
      }
    }
    if plan.segmentsDiscovered { out += contrastSection(analysis, segments: shown) }
    out.append("## Sample ratio check")
    out.append("")
    out.append(table(ReportTables.sampleRatio(srm, plan: plan, segments: shown)))
    out.append("")
    out.append("## Plan vs observed")
    out.append("")
    out.append(table(ReportTables.planVersusObserved(analysis, segments: shown)))
    out.append("")
    out.append("## Data")
    out.append("")
    let data = analysis.data
    out.append(
      "\(NumberText.count(data.rowsRead)) rows read (\(data.format.rawValue)), \(NumberText.count(data.rowsUsed)) used, \(NumberText.count(data.issues.total)) dropped. Duplicate units \(data.duplicatesChecked ? "were" : "were not") checked."
    )
    if let missing = ReportTables.missingValuesSentence(analysis) {
      out.append("")
      out.append(escape(missing))
    }
    if data.issues.total > 0 {
      out.append("")
      out.append(table(ReportTables.dataIssues(data)))
    }
    if !analysis.warnings.isEmpty {
      out.append("")
      out.append("**Warnings**")
      out.append("")
      for warning in analysis.warnings { out.append("- \(escape(warning))") }
    }
    out.append("")
    out.append("## Glossary")
    out.append("")
    for (term, definition) in ReportTables.glossary(for: analysis) { out.append("- **\(term)**: \(definition)") }
    out.append("")
    out.append(ReportTables.footer(analysis).map { "<sub>\(escape($0))</sub>" }.joined(separator: "<br/>\n"))
    out.append("")
    return out.joined(separator: "\n")
  }

  /// Tables longer than this are folded (`<details>`), so the page stays readable.
  static let foldedRows = 16

  /// A pipe table; numeric columns (`ReportTables.isNumericColumn`) are right-aligned, by content rather than
  /// position (or as `numeric` says, per column); long tables are folded unless `fold` is false (a table
  /// already inside a `<details>`).
  static func table(_ table: ReportTables.Table, fold: Bool = true, numeric: [Bool]? = nil) -> String {
    var lines = ["| " + table.header.map(escape).joined(separator: " | ") + " |"]
    let numeric = numeric ?? table.numericColumns(from: 1)
    lines.append(
      "|" + table.header.indices.map { numeric.indices.contains($0) && numeric[$0] ? " ---: |" : " --- |" }.joined())
    for (index, row) in table.rows.enumerated() {
      let strong = table.classes[index].contains("overall")
      lines.append(
        "| "
          + row.map { cell in
            let text = escape(cell)
            return strong && !text.isEmpty ? "**\(text)**" : text
          }.joined(separator: " | ") + " |")
    }
    let text = lines.joined(separator: "\n")
    guard fold, table.rows.count > foldedRows else { return text }
    return "<details><summary>Table of \(table.rows.count) rows</summary>\n\n\(text)\n\n</details>"
  }

  /// Escapes text for Markdown: table pipes, inline HTML, emphasis and link syntax; newlines become spaces;
  /// other controls and bidi overrides from names or data are shown as escapes (`\u{1B}`), never raw.
  static func escape(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      switch scalar {
      case "|": out += "\\|".unicodeScalars
      case "<": out += "&lt;".unicodeScalars
      case ">": out += "&gt;".unicodeScalars
      case "&": out += "&amp;".unicodeScalars
      case "*", "_", "`", "[", "]", "\\", "#": out += ["\\", scalar]
      case "\n", "\r": out.append(" ")
      case _ where DisplayText.isUnsafe(scalar): out += DisplayText.escaped(String(scalar)).unicodeScalars
      default: out.append(scalar)
      }
    }
    return String(out)
  }

  /// Escapes `text` but keeps its spans between backticks (commands, flags) as code spans.
  ///
  /// For our own sentences, whose other parts hold no backtick.
  static func escapeWithCode(_ text: String) -> String {
    text.split(separator: "`", omittingEmptySubsequences: false).enumerated().map { index, part in
      index % 2 == 1 ? "`\(part)`" : escape(String(part))
    }.joined()
  }

  /// Text inside a code span: backticks cannot be escaped there, so they are replaced.
  static func code(_ text: String) -> String { text.replacingBackticks }

  static func fileName(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }

  /// The data's file names without directories (several files joined by ", ").
  static func dataName(_ data: DataSummary) -> String { data.files.map(fileName).joined(separator: ", ") }
}

extension String {
  var replacingBackticks: String { DisplayText.escaped(String(map { $0 == "`" ? "'" : $0 }).replacingNewlines) }
  var replacingNewlines: String { String(map { $0 == "\n" || $0 == "\r" ? " " : $0 }) }
}
