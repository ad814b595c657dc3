import Foundation
import StrataAnalysis
import StrataDefinitions
import StrataStats

extension ReportTables {
  /// The scale and prior of the plan's Bayesian summaries, for a label: "relative lift, flat (improper)
  /// prior", "absolute lift (pp), normal prior N(0, σ²) with σ = 0.02 = 2.0 pp (the plan's prior)".
  public static func bayesianLabel(_ metric: MetricAnalysis, plan: AnalysisPlan) -> String {
    let binomial = metric.metric.kind == .binomial
    let scale =
      plan.bayesianScale == .relative ? "relative lift" : binomial ? "absolute lift (pp)" : "absolute difference"
    guard let sd = plan.prior else { return "\(scale), flat (improper) prior" }
    let unit =
      plan.bayesianScale == .relative
      ? " = \(NumberText.percent(sd, digits: 1)) of the control mean"
      : binomial ? " = \(NumberText.percent(sd, digits: 1).dropLast()) pp" : " in the metric's units"
    return "\(scale), normal prior N(0, σ²) with σ = \(NumberText.general(sd))\(unit) (the plan's prior)"
  }

  /// The sentences under a metric's results table that say what its "Chance to win" column is; nil when no
  /// comparison of the metric has a Bayesian summary.
  ///
  /// The scale and prior are in the Bayesian summary's title (`bayesianSummaryTitle`), and a comparison summarised on
  /// another scale (the absolute difference where the control mean is 0) says so in that table's lift cell: with
  /// them the note was up to 358 characters before 2026-12-07.
  public static func bayesianNote(_ metric: MetricAnalysis, plan: AnalysisPlan) -> String? {
    guard metric.comparisons.contains(where: { $0.bayesian != nil }) else { return nil }
    let pooled =
      metric.partialPooling.isEmpty ? "" : " With the other segments as the prior: partial pooling, below."
    return
      "Chance to win: the probability that the variant beats control in the metric's good direction, from that row's data alone (Gaussian approximation).\(pooled) Prior and risks: the Bayesian summary."
  }

  /// The summary line of the folded Bayesian table: "Bayesian summary: chance to win and risk
  /// (relative lift, flat (improper) prior)".
  public static func bayesianSummaryTitle(_ metric: MetricAnalysis, plan: AnalysisPlan) -> String {
    "Bayesian summary: chance to win and risk (\(bayesianLabel(metric, plan: plan)))"
  }

  /// Each comparison's Bayesian summary (`results[].bayesian`), in the results table's rows: the posterior
  /// lift with its credible interval, the chance to win (to beat control), and the risk (expected loss) of shipping
  /// the variant and of keeping control; nil when no comparison of the metric has one.
  ///
  /// The lift and the risks are on the comparison's own scale: the relative lift in % of the control mean,
  /// the absolute one in pp for rates and in the metric's unit otherwise. A comparison summarised on another
  /// scale than the plan's (the absolute one where the control mean is 0) says so in its lift cell.
  public static func bayesian(_ metric: MetricAnalysis, plan: AnalysisPlan, segments: ReportSegments? = nil)
    -> Table?
  {
    guard metric.comparisons.contains(where: { $0.bayesian != nil }) else { return nil }
    let binomial = metric.metric.kind == .binomial
    let lift =
      plan.bayesianScale == .relative
      ? "Posterior relative lift" : binomial ? "Posterior lift (pp)" : "Posterior difference"
    let header = [
      "Segment", "Variant", lift, "\(level(plan)) credible interval", "Chance to win",
      "Risk of shipping the variant", "Risk of keeping control",
    ]
    var rows: [[String]] = []
    var classes: [String] = []
    for c in shownComparisons(metric, plan: plan, segments: segments) {
      let name = c.segment ?? "All segments"
      classes.append(c.segment == nil ? "overall" : "")
      guard let b = c.bayesian else {
        rows.append([name, c.treatment, "n/a", "n/a", "n/a", "n/a", "n/a"])
        continue
      }
      let relative = c.bayesianScale == .relative
      let other =
        c.bayesianScale == plan.bayesianScale
        ? "" : relative ? " (relative)" : " (absolute, flat prior: control mean 0)"
      let interval =
        relative
        ? "[\(NumberText.relative(b.credibleInterval.lower)), \(NumberText.relative(b.credibleInterval.upper))]"
        : NumberText.interval(b.credibleInterval.lower, b.credibleInterval.upper, binomial: binomial)
      rows.append([
        name, c.treatment,
        (relative ? NumberText.relative(b.posteriorMean) : NumberText.effect(b.posteriorMean, binomial: binomial))
          + other,
        interval, NumberText.chance(b.chanceToWin),
        risk(b.riskTreatment, relative: relative, binomial: binomial),
        risk(b.riskControl, relative: relative, binomial: binomial),
      ])
    }
    return Table(header: header, rows: rows, classes: classes, highlightColumn: nil)
  }

  /// A risk (an expected loss, ≥ 0) in two significant digits (whole from 100 on, with an exponent from 10^15 on),
  /// never a false zero: "0.12%", "< 0.01%", "0.35 pp", "1.2", "1,530", "2.2e+91"; relative risks are in % of the
  /// control mean, absolute ones in pp for rates.
  public static func risk(_ x: Double, relative: Bool, binomial: Bool) -> String {
    guard x.isFinite else { return "n/a" }
    let percent = relative || binomial
    let value = percent ? x * 100 : x
    let unit = relative ? "%" : binomial ? " pp" : ""
    if value == 0 { return "0\(unit)" }
    if percent && value < 0.01 { return "< 0.01\(unit)" }
    if value >= 1e15 { return String(format: "%.1e", value) + unit }  // whole, it would not fit in an Int64
    return (value >= 100 ? NumberText.count(value) : String(format: "%.2g", value)) + unit
  }
}
