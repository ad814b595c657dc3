import StrataAnalysis
import StrataStats

extension ReportTables {
  /// The caption of the boundary chart: what x and the marks mean, information above 100% included.
  public static func boundaryChartCaption(_ s: SequentialAnalysis) -> String {
    let marks =
      "Numbered dots: each comparison's z at this look (filled = crossed its boundary); small dots L1, L2, …: earlier looks. x: the information fraction, units so far over the planned maximum per arm; beyond 100% (shaded), more than planned: its final look."
    guard !s.boundaries.isEmpty else {
      return marks + " No planned boundaries: the always-valid p-value decides."
    }
    return marks
      + " Dashed red: the planned \(s.spending ?? "") efficacy boundary (α = \(NumberText.compact(s.alphaPerComparison)) per comparison). Short bars in a comparison's colour: its own boundary at this look, for its observed information; crossing it stops that comparison for efficacy."
  }

  /// The caption of the cumulative-lift chart: which interval each look shows.
  public static func liftChartCaption(_ s: SequentialAnalysis, plan: AnalysisPlan) -> String {
    let interval =
      s.trajectoryInterval == .repeatedConfidence
      ? "its repeated confidence interval (the estimate ± that look's boundary × its standard error, α = \(NumberText.compact(s.alphaPerComparison)) per comparison; this look at the comparison's own boundary)"
      : "its \(DecisionText.level(1 - s.alphaPerComparison)) interval at α = \(NumberText.compact(s.alphaPerComparison)) per comparison, not adjusted for repeated looks: read the trend, decide on the always-valid interval"
    return "Each comparison's cumulative lift at every recorded look with \(interval)."
  }

  /// The cumulative lift of each comparison by look, the numbers of the cumulative-lift chart: one row per
  /// comparison, one column per recorded look.
  public static func liftByLook(_ s: SequentialAnalysis, plan: AnalysisPlan) -> Table {
    let binomial = plan.primaryMetricIndex.map { plan.metrics[$0].kind == .binomial } ?? true
    let trajectories = s.trajectories()
    let looks = Set(trajectories.flatMap { $0.points.map(\.look) }).sorted()
    let level =
      s.trajectoryInterval == .repeatedConfidence
      ? "repeated CI" : "\(DecisionText.level(1 - s.alphaPerComparison)) CI, unadjusted"
    let header = ["comparison"] + looks.map { "look \($0)\($0 == s.look ? " (this look)" : ""): lift [\(level)]" }
    let rows = trajectories.map { t -> [String] in
      [BoundaryChart.label(t)]
        + looks.map { look in
          t.points.first { $0.look == look }.map {
            "\(NumberText.effect($0.estimate, binomial: binomial)) \(NumberText.interval($0.lower, $0.upper, binomial: binomial))"
          } ?? "—"
        }
    }
    return Table(header: header, rows: rows, classes: rows.map { _ in "" }, highlightColumn: nil)
  }
}
