import StrataAnalysis
import StrataStats

/// The tables every rendering shares (terminal, Markdown, HTML), as plain cells: one place decides what a
/// report shows and how numbers read.
public enum ReportTables {
  /// A table: a header row and body rows of cells, plus per-row flags for styling.
  public struct Table: Sendable {
    public var header: [String]
    public var rows: [[String]]
    /// Per row: "significant-up", "significant-down", "underpowered", "overall", "mismatch" (space separated).
    public var classes: [String]
    /// The column whose cell carries the row's colour (flags, decision or estimate); nil: none is coloured.
    public var highlightColumn: Int? = nil
  }

  static func level(_ plan: AnalysisPlan) -> String { "\(Int((plan.confidenceLevel * 100).rounded()))%" }

  /// Per segment and overall comparisons of one metric (the segments `segments` shows, in plan order).
  ///
  /// `chanceToWin` adds the column "Chance to win" (to beat control) before the flags (each comparison's Bayesian
  /// summary, `bayesianNote` says on which scale and prior): the Markdown and HTML reports show it, the
  /// terminal table and the service's dashboard keep their columns.
  public static func metric(
    _ metric: MetricAnalysis, plan: AnalysisPlan, segments: ReportSegments? = nil, chanceToWin: Bool = false
  ) -> Table {
    let binomial = metric.metric.kind == .binomial
    let hasFamily = metric.comparisons.contains(where: \.inFamily)
    let quantity =
      (binomial ? "rate" : metric.metric.kind.isRatio ? "ratio" : "mean")
      + (metric.metric.isAdjusted ? " (adjusted)" : "")
    let header = [
      "Segment", "Variant", "n (control / variant)", "Control \(quantity)", "Variant \(quantity)",
      binomial ? "Lift (pp)" : "Difference", "\(level(plan)) CI", "Relative", "Test", "p", "Adjusted p",
      "Chance to win", "Flags",
    ].filter { ($0 != "Adjusted p" || hasFamily) && ($0 != "Chance to win" || chanceToWin) }
    var rows: [[String]] = []
    var classes: [String] = []
    for c in shownComparisons(metric, plan: plan, segments: segments) {
      var flags: [String] = []
      var style: [String] = []
      if c.segment == nil { style.append("overall") }
      if c.significant {
        let good = (c.absoluteLift > 0) == metric.metric.higherIsBetter
        flags.append((c.absoluteLift > 0 ? "significant ▲" : "significant ▼") + (good ? " good" : " bad"))
        style.append(
          metric.metric.role == .guardrail
            ? (good ? "guardrail-good" : "guardrail-bad") : (good ? "significant-up" : "significant-down"))
      }
      if c.underpowered { flags.append("underpowered"); style.append("underpowered") }
      if c.test == "fisher" { flags.append("exact test") }
      if c.test == nil { flags.append(c.notes.first ?? "no test") }
      let interval = c.absoluteInterval.map { NumberText.interval($0.lower, $0.upper, binomial: binomial) } ?? "n/a"
      rows.append(
        [
          c.segment ?? "All segments", c.treatment,
          "\(NumberText.count(c.control.count)) / \(NumberText.count(c.treatmentArm.count))",
          NumberText.level(c.control.mean, binomial: binomial),
          NumberText.level(c.treatmentArm.mean, binomial: binomial),
          NumberText.effect(c.absoluteLift, binomial: binomial), interval, NumberText.relative(c.relativeLift),
          c.test ?? "none", NumberText.pValue(c.pValue),
        ] + (hasFamily ? [c.inFamily ? NumberText.pValue(c.adjustedPValue) : "not in family"] : [])
          + (chanceToWin ? [c.bayesian.map { NumberText.chance($0.chanceToWin) } ?? "n/a"] : []) + [
            flags.joined(separator: ", ")
          ])
      classes.append(style.joined(separator: " "))
    }
    return Table(header: header, rows: rows, classes: classes, highlightColumn: header.count - 1)
  }

  /// The comparisons of one metric a report's per-comparison tables list, in their order: per segment that
  /// `segments` shows (all by default), in plan order, then the "All segments" rows.
  static func shownComparisons(_ metric: MetricAnalysis, plan: AnalysisPlan, segments: ReportSegments?)
    -> [Comparison]
  {
    // Positions first, each comparison read in place (a copy of each and a lookup per plan segment cost about
    // 46 M instructions a table at 20,000 segments); the shown segments in plan order from `ReportSegments`.
    let shown = segments ?? .all(of: plan)
    var bySegment: [String: [Int]] = [:]
    var overall: [Int] = []
    metric.comparisons.withUnsafeBufferPointer { comparisons in
      for index in comparisons.indices {
        guard let segment = comparisons[index].segment else {
          overall.append(index)
          continue
        }
        if shown.contains(segment) { bySegment[segment, default: []].append(index) }
      }
    }
    var out: [Comparison] = []
    for segment in shown.order ?? plan.segments {
      for index in bySegment[segment] ?? [] { out.append(metric.comparisons[index]) }
    }
    for index in overall { out.append(metric.comparisons[index]) }
    return out
  }

  /// Which overall number to quote, said under a metric's results when it has a pooled estimate.
  public static let quoteThePooledEstimate =
    "Quote the pooled estimate across segments (below), not the “All segments” row. The pooled one compares like with like within each segment; the “All segments” row lumps every unit together and can mislead when segments differ in size between arms."

  /// Pooled estimates and heterogeneity of one metric.
  public static func pooled(_ metric: MetricAnalysis, plan: AnalysisPlan) -> Table {
    let binomial = metric.metric.kind == .binomial
    let header = [
      "Variant", binomial ? "Pooled lift (MH risk difference)" : "Pooled difference (inverse variance)",
      "\(level(plan)) CI", "p",
      binomial ? "CMH p" : "", "Segments differ? (Cochran's Q)", "I²",
      binomial ? "Odds ratio (MH) [\(level(plan)) CI]" : "",
    ].filter { !$0.isEmpty }
    var rows: [[String]] = []
    var classes: [String] = []
    for p in metric.pooled {
      let h = p.heterogeneity
      let differ =
        h.pValue.map {
          "\($0 < 0.05 ? "yes" : "no") (Q = \(NumberText.number(h.statistic)), df = \(Int(h.degreesOfFreedom)), p = \(NumberText.pValue($0)))"
        } ?? "n/a (one segment)"
      var row = [
        p.treatment, NumberText.effect(p.estimate, binomial: binomial),
        NumberText.interval(p.interval.lower, p.interval.upper, binomial: binomial),
        NumberText.pValue(p.pValue),
      ]
      if binomial { row.append(NumberText.pValue(p.cochranMantelHaenszel?.pValue)) }
      row += [differ, h.iSquared.map { NumberText.percent($0, digits: 0) } ?? "n/a"]
      if binomial {
        row.append(
          p.oddsRatio.map { o in
            "\(NumberText.number(o, digits: 3)) \(p.oddsRatioInterval.map { "[\(NumberText.number($0.lower, digits: 3)), \(NumberText.number($0.upper, digits: 3))]" } ?? "")"
          } ?? "n/a")
      }
      rows.append(row)
      let good = (p.estimate > 0) == metric.metric.higherIsBetter
      let direction =
        metric.metric.role == .guardrail
        ? (good ? "guardrail-good" : "guardrail-bad") : (good ? "significant-up" : "significant-down")
      classes.append(p.pValue < plan.alpha ? direction : "")
    }
    return Table(header: header, rows: rows, classes: classes, highlightColumn: 1)
  }

  /// The plan next to what was observed.
  ///
  /// Units per arm are listed for the segments `segments` shows (by default `ReportSegments(analysis)`), the
  /// others summed up in one row.
  public static func planVersusObserved(_ analysis: Analysis, segments: ReportSegments? = nil) -> Table {
    let plan = analysis.plan
    var rows: [[String]] = []
    let primary = plan.primaryMetricIndex.map { analysis.metrics[$0] }
    let binomial = primary?.metric.kind == .binomial
    rows.append([
      "Significance level α", NumberText.number(plan.alpha, digits: 3),
      "\(plan.alternative == .twoSided ? "two" : "one")-sided, \(analysis.family.correction.rawValue) across \(analysis.family.size) comparisons",
    ])
    rows.append(["Power", NumberText.percent(plan.power, digits: 0), ""])
    if let mde = plan.minimumDetectableEffect {
      rows.append([
        "Minimum detectable effect", NumberText.effect(mde, binomial: binomial),
        plan.minimumDetectableEffectIsRelative
          ? "\(NumberText.relative(plan.baseline.map { mde / $0 })) relative to the baseline" : "",
      ])
    }
    if let baseline = plan.baseline, let primary {
      let observed = primary.comparisons(segment: nil).first?.control.mean
      rows.append([
        "Baseline (\(primary.metric.name), control)", NumberText.level(baseline, binomial: binomial),
        "observed \(observed.map { NumberText.level($0, binomial: binomial) } ?? "n/a")",
      ])
    }
    if let planned = primary?.plannedUnitsPerVariant {
      let shown = segments ?? ReportSegments(analysis)
      var others = (count: 0, smallest: Int.max, underpowered: 0)
      for segment in plan.segments.indices {
        let units = plan.variants.indices.map { analysis.data.statistics.units(variant: $0, segment: segment) }
        let smallest = units.min() ?? 0
        guard shown.contains(plan.segments[segment]) else {
          others = (
            others.count + 1, min(others.smallest, smallest), others.underpowered + (smallest < planned ? 1 : 0)
          )
          continue
        }
        rows.append([
          "Units per arm in \(plan.segments[segment])", NumberText.count(planned),
          "observed at least \(NumberText.count(smallest))\(smallest < planned ? " (underpowered)" : "")",
        ])
      }
      if others.count > 0 {
        rows.append([
          "Units per arm in the other \(NumberText.count(others.count)) segments", NumberText.count(planned),
          "observed at least \(NumberText.count(others.smallest))\(others.underpowered > 0 ? " (\(NumberText.count(others.underpowered)) underpowered)" : "")",
        ])
      }
    }
    rows.append(plannedSplit(analysis))
    rows.append([
      "Looks", "\(plan.looks)", analysis.look.number.map { "this is look \($0)" } ?? "fixed-horizon analysis",
    ])
    return Table(header: ["", "Planned", "Observed"], rows: rows, classes: rows.map { _ in "" })
  }

  /// Rows that were dropped, by kind.
  public static func dataIssues(_ data: DataSummary) -> Table {
    let rows = data.issues.kinds.map { kind -> [String] in
      let entry = data.issues.entries[kind] ?? DataIssues.Entry()
      return [
        kind.phrase, NumberText.count(entry.count), entry.firstLines.map(String.init).joined(separator: ", "),
        entry.firstExample,
      ]
    }
    return Table(
      header: ["Problem", "Rows", "First lines", "First example"], rows: rows, classes: rows.map { _ in "" })
  }

  /// One sentence on the empty values the metrics' `missing:` policies handled, nil when none were counted:
  /// `Empty values: revenue (metric "revenue") 120 counted as 0; ...`.
  public static func missingValuesSentence(_ analysis: Analysis) -> String? {
    var parts: [String] = []
    for entry in analysis.data.missingValues(plan: analysis.plan) {
      let action = entry.policy == .zero ? "counted as 0" : "left out"
      // Unknown counts (values counted as 0 in aggregated input or SQL) stay out: JSON says null for them.
      guard let units = entry.units, units > 0 else { continue }
      parts.append("\(entry.column) (\(entry.purpose)) \(NumberText.count(units)) \(action)")
    }
    return parts.isEmpty ? nil : "Empty values: " + parts.joined(separator: "; ") + "."
  }

  /// Short definitions for readers who are not statisticians: the general terms, which
  /// `glossary(for:)` filters and extends with the terms a report uses.
  static let generalGlossary: [(String, String)] = [
    (
      "Lift",
      "Variant minus control. For rates it is in percentage points (pp): 18% → 20% is +2 pp, a relative lift of +11%."
    ),
    (
      "Confidence interval (CI)",
      "The range of effects compatible with the data. If it excludes 0, the effect is statistically significant at the stated level."
    ),
    (
      "p-value",
      "How surprising the data would be if the variant had no effect. Small (below α) means the effect is unlikely to be chance."
    ),
    (
      "Adjusted p",
      "The p-value after correcting for testing many segments and variants at once (Holm or Benjamini–Hochberg), so that the chance of a false win stays at α."
    ),
    (
      "Sample ratio mismatch (SRM)",
      "The variants did not get the planned share of units. It usually means a bug in assignment or tracking, and makes every result suspect."
    ),
    (
      "Pooled estimate",
      "One effect across all segments, each weighted by its information (Mantel–Haenszel for rates, inverse variance for means)."
    ),
    (
      "Heterogeneity",
      "Whether segments really differ. Cochran's Q tests it; I² is the share of the spread between segments that is not chance."
    ),
    (
      "Underpowered",
      "The segment has fewer units than the plan needs to detect the minimum effect: a non-significant result there is not evidence of no effect."
    ),
    (
      "Guardrail",
      "A metric that must not get worse (unsubscribes, complaints); reported separately from the decision metric."
    ),
  ]
}
