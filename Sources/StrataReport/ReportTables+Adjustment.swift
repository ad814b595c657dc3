import StrataAnalysis
import StrataStats

extension AnalysisPlan.Metric {
  /// Whether pre-experiment data adjusts the estimate: a CUPED `covariate:` or Lin's regression on `covariates:`.
  var isAdjusted: Bool { covariate != nil || regression != nil }

  /// How reports name the adjustment: "CUPED", or "regression (Lin, HC2)".
  var adjustmentName: String {
    regression.map { "regression (Lin, \($0.errors.rawValue.uppercased()))" } ?? "CUPED"
  }
}

extension ReportTables {
  /// How a report names a metric's kind: "binomial", "continuous; CUPED-adjusted on revenue_before", "ratio:
  /// revenue per order; CUPED-adjusted on revenue_before per orders_before", "continuous; regression-adjusted
  /// (Lin, HC2) on visits_before, spend_before".
  public static func kindLabel(_ metric: AnalysisPlan.Metric) -> String {
    var label = metric.kind.name
    if let ratio = metric.ratioLabel { label += ": " + ratio }
    if let covariate = metric.covariate {
      label += "; CUPED-adjusted on " + covariate.columns.joined(separator: " per ")
    }
    if let regression = metric.regression {
      label +=
        "; regression-adjusted (Lin, \(regression.errors.rawValue.uppercased())) on "
        + regression.columns.joined(separator: ", ")
    }
    return label
  }

  /// How p-values outside the multiple-testing family are described: "unadjusted", or for a CUPED-adjusted
  /// metric (where "unadjusted" would read as "without the covariate") "not corrected for multiple testing".
  public static func uncorrected(_ metric: AnalysisPlan.Metric) -> String {
    metric.isAdjusted ? "not corrected for multiple testing" : "unadjusted"
  }

  /// What the adjusted-beside-unadjusted table of `metric` shows, said once above it, in short sentences; the
  /// variance reduction and the extra units are defined in the glossary, as for CUPED (the regression note was about
  /// 600 characters before 2026-12-07, one sentence of 330).
  public static func adjustmentExplanation(_ metric: AnalysisPlan.Metric) -> String {
    guard let regression = metric.regression else { return adjustmentNote }
    return
      "The results above are regression-adjusted (Lin 2013). Per segment, the outcome is fitted by least squares on the arms, the centred covariates (\(regression.columns.joined(separator: ", "))) and every arm × covariate interaction. Each arm's adjusted mean is its fit at the covariates' mean. Standard errors are heteroskedasticity-consistent (\(regression.errors.rawValue.uppercased())), with normal intervals and p-values. The unadjusted comparison beside it is Welch's. θ is CUPED's and does not apply. Variance reduction and extra units: see the glossary."
  }

  /// What the adjusted-beside-unadjusted table of a CUPED metric shows, said once above it (399 characters before
  /// 2026-12-07, when it also defined the variance reduction and the extra units: the glossary does).
  public static let adjustmentNote =
    "The results above are CUPED-adjusted: each unit's value less θ × (its pre-experiment value − the average). θ is pooled within the arms of each segment, so the treatment cannot move it. Variance reduction and extra units: see the glossary."

  /// The adjusted and the unadjusted comparison of a metric with a covariate side by side, per segment and
  /// overall (the segments `segments` shows, in plan order); nil for a metric without one (a plain ratio's two are
  /// the same).
  public static func adjustment(_ metric: MetricAnalysis, plan: AnalysisPlan, segments: ReportSegments? = nil)
    -> Table?
  {
    guard metric.metric.isAdjusted else { return nil }
    let binomial = metric.metric.kind == .binomial
    let header = [
      "Segment", "Variant", "Adjusted difference", "\(level(plan)) CI (adjusted)", "p (adjusted)",
      "Unadjusted difference", "\(level(plan)) CI (unadjusted)", "p (unadjusted)", "Variance reduction",
      "Equivalent extra units", "θ",
    ]
    var rows: [[String]] = []
    var classes: [String] = []
    for c in shownComparisons(metric, plan: plan, segments: segments) {
      guard let a = c.adjustment else { continue }
      func interval(_ r: LiftResult) -> String {
        NumberText.interval(r.interval.lower, r.interval.upper, binomial: binomial)
      }
      rows.append([
        c.segment ?? "All segments", c.treatment, NumberText.effect(a.adjusted.difference, binomial: binomial),
        interval(a.adjusted), NumberText.pValue(a.adjusted.test.pValue),
        NumberText.effect(a.unadjusted.difference, binomial: binomial), interval(a.unadjusted),
        NumberText.pValue(a.unadjusted.test.pValue), NumberText.percent(a.varianceReduction, digits: 0),
        a.equivalentExtraUnits >= 0 ? "+" + NumberText.count(a.equivalentExtraUnits.rounded()) : "none",
        a.theta.map { NumberText.number($0, digits: 3) } ?? "n/a",
      ])
      classes.append(c.segment == nil ? "overall" : "")
    }
    return Table(header: header, rows: rows, classes: classes)
  }

  /// The post-stratified estimate per treatment, beside the pooled one.
  ///
  /// The weights are listed for the segments `segments` shows (all by default), then how many more there are, in
  /// the last column (`postStratifiedWeights`, a table of their own: `weights` false leaves the column out).
  public static func postStratified(
    _ metric: MetricAnalysis, plan: AnalysisPlan, segments: ReportSegments? = nil, weights: Bool = true
  ) -> Table {
    let shown = segments ?? .all(of: plan)
    let binomial = metric.metric.kind == .binomial
    let header =
      ["Variant", "Post-stratified difference", "\(level(plan)) CI", "p"]
      + (weights ? ["Segment weights (share of units)"] : [])
    var rows: [[String]] = []
    var classes: [String] = []
    for p in metric.postStratified {
      rows.append(
        [
          p.treatment, NumberText.effect(p.estimate, binomial: binomial),
          NumberText.interval(p.interval.lower, p.interval.upper, binomial: binomial), NumberText.pValue(p.pValue),
        ] + (weights ? [weightsText(p, shown: shown)] : []))
      let good = (p.estimate > 0) == metric.metric.higherIsBetter
      let direction =
        metric.metric.role == .guardrail
        ? (good ? "guardrail-good" : "guardrail-bad") : (good ? "significant-up" : "significant-down")
      classes.append(p.pValue < plan.alpha ? direction : "")
    }
    return Table(header: header, rows: rows, classes: classes, highlightColumn: 1)
  }

  /// Glossary entries for ratio metrics, CUPED and post-stratification, when the report shows them.
  static func adjustmentGlossary(for analysis: Analysis) -> [(String, String)] {
    var terms: [(String, String)] = []
    if analysis.metrics.contains(where: { $0.metric.kind.isRatio }) {
      terms.append(
        (
          "Ratio metric",
          "A metric that divides two sums per arm, such as revenue per order (Σ revenue / Σ orders). The unit of the test stays the unit that was randomised (the customer), so its uncertainty comes from the delta method over units, not from counting orders as if they were independent."
        ))
    }
    if analysis.metrics.contains(where: { $0.metric.covariate != nil }) {
      terms.append(
        (
          "CUPED (covariate adjustment)",
          "Each unit's result is corrected by how it behaved before the experiment (the covariate), which removes noise the treatment did not cause. The adjusted estimate targets the same effect as the unadjusted one, with a narrower interval."
        ))
      terms.append(
        (
          "Variance reduction, equivalent extra units",
          "How much of the unadjusted variance CUPED removed (1 − adjusted / unadjusted), and how many more units the unadjusted analysis would need to be as precise."
        ))
    }
    if analysis.metrics.contains(where: { $0.metric.regression != nil }) {
      terms.append(
        (
          "Regression adjustment (Lin)",
          "With several pre-experiment columns (covariates), the result is predicted from all of them at once, separately in each arm, and the arms are compared at the same average covariate values. Like CUPED it removes noise the treatment did not cause and targets the same effect as the unadjusted comparison; its standard errors (HC2 or HC3) stay valid when the noise differs between units."
        ))
      if !analysis.metrics.contains(where: { $0.metric.covariate != nil }) {
        terms.append(
          (
            "Variance reduction, equivalent extra units",
            "How much of the unadjusted variance the adjustment removed (1 − adjusted / unadjusted), and how many more units the unadjusted analysis would need to be as precise."
          ))
      }
    }
    if analysis.metrics.contains(where: { !$0.postStratified.isEmpty }) {
      terms.append(("Post-stratified estimate", PostStratifiedComparison.estimand))
    }
    return terms
  }
}
