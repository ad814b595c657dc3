import StrataAnalysis
import StrataReport
import StrataStats

/// One experiment on the dashboard: its overview row and its section.
extension DashboardPage {
  func overviewRow(_ experiment: Experiment, index: Int) -> String {
    let escape = DashboardPage.escape
    var cells = [
      "<th scope=\"row\" data-label=\"Experiment\"><span class=\"cell\"><a href=\"#\(DashboardPage.anchor(index))\">"
        + "\(escape(experiment.name))</a><br/><code>\(escape(experiment.id))</code></span></th>",
      "<td class=\"status\" data-label=\"Status\"><span class=\"cell\">\(DashboardPage.status(experiment))</span></td>",
      "<td class=\"num\" data-label=\"Units so far\"><span class=\"cell\">\(DashboardPage.units(experiment))</span></td>",
    ]
    if let analysis = experiment.analysis {
      let srm = analysis.sampleRatio
      cells.append(
        srm.mismatch
          ? "<td data-label=\"Sample ratio\" class=\"srm-mismatch\"><span class=\"cell\"><span class=\"mark-bad\">▲</span> "
            + "<strong>Mismatch</strong> (p = \(NumberText.pValue(srm.overall.pValue))): do not trust the results</span></td>"
          : "<td data-label=\"Sample ratio\"><span class=\"cell\"><span class=\"mark-good\">✓</span> As planned "
            + "(p = \(NumberText.pValue(srm.overall.pValue)))</span></td>")
      let view = analysis.look.sequential?.interim == true ? "interim view, not a look" : "at a planned look"
      cells.append(
        "<td data-label=\"Current decision\" class=\"decision \(DecisionText.tone(analysis.decision).rawValue)\">"
          + "<span class=\"cell\">\(escape(DecisionText.label(analysis.decision)))<br/><span class=\"note\">\(view)</span>"
          + "</span></td>")
    } else {
      cells.append("<td data-label=\"Sample ratio\">—</td><td data-label=\"Current decision\">—</td>")
    }
    cells.append(
      "<td data-label=\"Planned looks\"><span class=\"cell\">\(DashboardPage.lookStatus(experiment))</span></td>")
    return "<tr>" + cells.joined() + "</tr>\n"
  }

  static func status(_ experiment: Experiment) -> String {
    switch experiment.state {
    case .analysed: return "<span class=\"mark-good\">●</span> Running"
    case .waiting: return "<span class=\"mark-neutral\">○</span> No data yet"
    case .notAnalysable: return "<span class=\"mark-bad\">▲</span> Cannot be analysed yet"
    case .unavailable: return "<span class=\"mark-bad\">▲</span> Database did not answer"
    }
  }

  /// Units in the analysis against the planned total (the primary metric's units per arm and segment, the
  /// sequential plan's maximum when there is one), else the units exposed.
  static func units(_ experiment: Experiment) -> String {
    guard let analysis = experiment.analysis else {
      let exposed = experiment.activity?.reduce(0) { $0 + $1.exposures } ?? 0
      return NumberText.count(exposed) + (exposed > 0 ? "<br/><span class=\"note\">exposed</span>" : "")
    }
    let units = analysis.data.units
    let plan = analysis.plan
    let perArm =
      analysis.look.sequential?.plannedMaximumUnitsPerVariant
      ?? plan.primaryMetricIndex.flatMap { analysis.metrics[$0].plannedUnitsPerVariant }
    guard let perArm, perArm > 0 else {
      return NumberText.count(units) + "<br/><span class=\"note\">no planned size</span>"
    }
    let planned = perArm * plan.variants.count * plan.segments.count
    let share = Int((Double(units) / Double(planned) * 100).rounded(.down))
    return "\(NumberText.count(units)) of \(NumberText.count(planned))<br/><span class=\"note\">\(share)% of the plan"
      + "</span><span class=\"bar\" aria-hidden=\"true\"><span style=\"width:\(min(100, share))%\"></span></span>"
  }

  /// The last recorded planned look, or how many are planned.
  static func lookStatus(_ experiment: Experiment) -> String {
    let planned = experiment.plannedLooks
    guard let last = experiment.looks.last else {
      return planned > 1 ? "None recorded yet (\(planned) planned)" : "None recorded (1 planned: fixed horizon)"
    }
    let action = last.action.replacingOccurrences(of: "_", with: " ")
    return
      "Look \(last.look) of \(planned) · \(escape(last.timestamp))<br/><span class=\"note\">\(escape(action))</span>"
  }

  /// An experiment's section.
  func section(_ experiment: Experiment, index: Int) -> String {
    let escape = DashboardPage.escape
    let anchor = DashboardPage.anchor(index)
    var html =
      "<section id=\"\(anchor)\" aria-labelledby=\"\(anchor)-title\"><h2 id=\"\(anchor)-title\">"
      + "\(escape(experiment.name))</h2><p class=\"meta\"><code>\(escape(experiment.id))</code> · "
      + "\(DashboardPage.status(experiment)) · \(DashboardPage.lookStatus(experiment).replacingOccurrences(of: "<br/>", with: " · "))</p>\n"
    switch experiment.state {
    case .analysed(let analysis): html += DashboardPage.live(analysis)
    case .waiting:
      html += "<p>No exposure is stored yet: send them to <code>POST /v1/exposures</code>.</p>"
    case .notAnalysable(let reason), .unavailable(let reason):
      html += "<p class=\"banner warn\">\(escape(DashboardPage.sentence(reason)))</p>"
    }
    html += DashboardPage.activityTable(experiment)
    html += DashboardPage.links(experiment)
    return html + "</section>\n"
  }

  /// `text` as a sentence on the page: with a final full stop (the API's messages, shown here, have none).
  static func sentence(_ text: String) -> String {
    guard let last = text.last, !".!?".contains(last) else { return text }
    return text + "."
  }

  /// The decision, the interim guard, the sample-ratio state and the primary metric per segment.
  static func live(_ analysis: Analysis) -> String {
    let decision = analysis.decision
    var html =
      "<div class=\"verdict \(DecisionText.tone(decision).rawValue)\"><h3 class=\"verdict-label\">"
      + "\(escape("Current decision: " + DecisionText.label(decision)))</h3><p class=\"headline\">"
      + "\(escape(DecisionText.headline(analysis)))</p><p class=\"next-step\"><strong>Next step:</strong> "
      + "\(escape(DecisionText.nextStep(analysis)))</p></div>\n"
    if let sequential = analysis.look.sequential {
      let what =
        sequential.interim
        ? "Interim view, not a planned look." : "At planned look \(sequential.look) of \(sequential.plannedLooks ?? 1)."
      let fraction = sequential.informationFraction.map {
        " Information so far: \(NumberText.percent($0, digits: 0)) of the planned maximum."
      }
      let guardText =
        sequential.interim
        ? " <strong>Do not act on interim numbers</strong>: between planned looks only the always-valid results may decide."
        : ""
      html +=
        "<p class=\"banner interim\"><strong>\(escape(what))</strong> \(escape(sequential.reason))\(escape(fraction ?? ""))"
        + "\(guardText)</p>\n"
    } else {
      html +=
        "<p class=\"banner interim\"><strong>Fixed-horizon plan.</strong> Read the result once the planned "
        + "sample is reached; until then these are interim numbers: do not act on them.</p>\n"
    }
    let srm = analysis.sampleRatio
    if srm.mismatch {
      html +=
        "<div class=\"banner srm-bad\" role=\"alert\"><strong>Sample ratio mismatch.</strong> "
        + "\(escape("The split of units does not match the plan (overall p = \(NumberText.pValue(srm.overall.pValue)))")): "
        + "do not act on these results until the cause is found.</div>\n"
    } else {
      html +=
        "<p class=\"note\">Sample ratio check passed: the split of units matches the plan "
        + "(overall p = \(NumberText.pValue(srm.overall.pValue))).</p>\n"
    }
    if let primary = analysis.plan.primaryMetricIndex {
      let metric = analysis.metrics[primary]
      html += "<h3>Current results per segment: \(escape(metric.metric.name))</h3>"
      html += ReportHTML.table(ReportTables.metric(metric, plan: analysis.plan))
      html +=
        "<p class=\"note\">Every metric, the pooled estimates and the charts are in the HTML report; "
        + "\(NumberText.count(analysis.data.units)) units analysed.</p>\n"
    }
    return html
  }

  /// Exposures and events stored per variant.
  static func activityTable(_ experiment: Experiment) -> String {
    guard let activity = experiment.activity, !activity.isEmpty || !experiment.erased.isEmpty else { return "" }
    let byVariant = Dictionary(activity.map { ($0.variant, $0) }, uniquingKeysWith: { first, _ in first })
    var html =
      "<h3>Stored per variant</h3><div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Variant</th>"
      + "<th scope=\"col\" class=\"num\">Units exposed</th><th scope=\"col\" class=\"num\">Repeated exposures</th>"
      + "<th scope=\"col\" class=\"num\">Events</th><th scope=\"col\" class=\"num\">Units erased</th></tr></thead><tbody>"
    let known = Set(experiment.variants.map(\.key))
    let rows =
      experiment.variants.map { ($0.key, $0.description) }
      + activity.filter { !known.contains($0.variant) }.map { ($0.variant, "not in the current definition") }
    for (key, description) in rows {
      let counts = byVariant[key]
      let label = description.map { "\(escape(key))<br/><span class=\"note\">\(escape($0))</span>" } ?? escape(key)
      html +=
        "<tr><th scope=\"row\" data-label=\"Variant\"><span class=\"cell\">\(label)</span></th>"
        + "<td class=\"num\" data-label=\"Units exposed\">\(NumberText.count(counts?.exposures ?? 0))</td>"
        + "<td class=\"num\" data-label=\"Repeated exposures\">\(NumberText.count(counts?.repeats ?? 0))</td>"
        + "<td class=\"num\" data-label=\"Events\">\(NumberText.count(counts?.events ?? 0))</td>"
        + "<td class=\"num\" data-label=\"Units erased\">\(NumberText.count(experiment.erased[key] ?? 0))</td></tr>"
    }
    return html
      + "</tbody></table></div><p class=\"note\">Units exposed: first exposures stored (a unit seen in two "
      + "variants counts in both and is left out of the analysis). Events: stored events of the variant's analysed "
      + "units for the experiment's metrics, at any time (the analysis counts those inside each metric's window).</p>\n"
  }

  /// Links to the live reports and the definition.
  static func links(_ experiment: Experiment) -> String {
    let id = escape(experiment.id)
    let hidden = { (what: String) in "<span class=\"visually-hidden\"> \(what) of \(id)</span>" }
    return
      "<p class=\"links\">Live reports: <a href=\"\(link(experiment.id, "/results.html"))\">HTML\(hidden("report"))</a>"
      + " · <a href=\"\(link(experiment.id, "/results.md"))\">Markdown\(hidden("report"))</a>"
      + " · <a href=\"\(link(experiment.id, "/results"))\">JSON\(hidden("results"))</a>"
      + " · <a href=\"\(link(experiment.id, ""))\">definition (JSON)\(hidden("the definition"))</a></p>\n"
  }
}
