import StrataAnalysis
import StrataAssignment
import StrataDefinitions
import StrataStats

extension ReportTables {
  /// The scorecard: one row per metric (primary, secondary, guardrails) for the decision's variant
  /// against the control, with the relative lift, its interval and a good / bad / neutral mark from the
  /// metric's direction.
  ///
  /// The primary metric's row is the decision's effect (its rule's interval, relative to the control's
  /// overall level); the others are the overall comparisons with their unadjusted intervals.
  public static func scorecard(_ analysis: Analysis) -> Table {
    let plan = analysis.plan
    let decision = analysis.decision
    let variant = decision.variant ?? plan.treatmentIndices.first.map { plan.variants[$0] } ?? ""
    var rows: [[String]] = []
    var classes: [String] = []
    for role in [Metric.Role.primary, .secondary, .guardrail] {
      for metric in analysis.metrics(role: role) {
        let name = "\(metric.metric.name) (\(role.rawValue), \(metric.metric.direction.rawValue) is good)"
        let isPrimary = plan.primaryMetricIndex.map { plan.metrics[$0].name } == metric.metric.name
        var relative: Double?
        var interval = "n/a"
        var basis = ""
        var significant = false
        var up = false
        if isPrimary, let effect = decision.treatments.first(where: { $0.treatment == variant })?.effect {
          relative = effect.relative
          if let control = effect.controlLevel, control > 0 {
            interval =
              "[\(NumberText.relative(effect.lower / control)), \(NumberText.relative(effect.upper / control))]"
          }
          basis = DecisionText.intervalName(effect)
          significant = effect.credible
          up = effect.estimate > 0
        } else if let c = metric.comparisons(segment: nil).first(where: { $0.treatment == variant }) {
          relative = c.relativeLift
          interval =
            c.relativeInterval.map { "[\(NumberText.relative($0.lower)), \(NumberText.relative($0.upper))]" } ?? "n/a"
          // "unadjusted" means not corrected for multiple testing; with CUPED that word would mislead.
          basis =
            metric.metric.isAdjusted
            ? "\(level(plan)) CI, \(metric.metric.adjustmentName), not corrected for multiple testing"
            : "\(level(plan)) CI, unadjusted"
          significant = c.significant
          up = c.absoluteLift > 0
        }
        let good = up == metric.metric.higherIsBetter
        let mark = significant ? (good ? "▲ good" : "▼ bad") : "— no clear change"
        rows.append([name, mark, NumberText.relative(relative), interval, basis])
        classes.append(significant ? (good ? "significant-up" : "significant-down") : "")
      }
    }
    return Table(
      header: ["Metric", "Mark", "Relative lift (\(variant) vs \(plan.control))", "Interval", "Interval kind"],
      rows: rows, classes: classes, highlightColumn: 1)
  }
}
