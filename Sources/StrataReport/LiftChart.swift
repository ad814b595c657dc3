import Foundation
import StrataAnalysis
import StrataStats

/// The inline-SVG cumulative-lift chart: each comparison's lift at every recorded look with that look's
/// interval (repeated confidence intervals at planned looks), as experimentation platforms' results pages
/// show it, in the colours and numbers of the boundary chart.
enum LiftChart {
  /// The legend's entries as the chart words them (colour, number, comparison and its latest lift), for the
  /// copy a phone shows above the chart (`BoundaryChart.legendEntries`).
  static func legendEntries(_ s: SequentialAnalysis, binomial: Bool) -> [(colour: String, text: String)] {
    s.trajectories().enumerated().map { index, t in
      let last = t.points.last.map { " \(NumberText.effect($0.estimate, binomial: binomial))" } ?? ""
      return (
        BoundaryChart.palette[index % BoundaryChart.palette.count],
        "\(index + 1) \(BoundaryChart.label(t)):\(last)"
      )
    }
  }

  /// The chart's `<desc>` (what a screen reader reads out): each comparison's lift at every look when there are few
  /// comparisons (`ChartSummary.describedInFull` or fewer), else at the latest look the highest two and the lowest
  /// and how many intervals exclude 0 (14 comparisons over two looks: 1,209 characters before 2026-12-07), then
  /// where the rest is: each comparison's lift in the primary metric's results table, its z at every look in the look
  /// log (which lists no lifts).
  static func description(_ lines: [String], trajectories: [SequentialAnalysis.Trajectory], binomial: Bool)
    -> String
  {
    guard lines.count > ChartSummary.describedInFull else { return lines.joined(separator: "; ") }
    let latest = trajectories.enumerated().compactMap { index, t in t.points.last.map { (index, t, $0) } }
    let item = { (entry: (Int, SequentialAnalysis.Trajectory, SequentialAnalysis.Trajectory.Point)) -> String in
      "\(entry.0 + 1) \(BoundaryChart.label(entry.1)) \(NumberText.effect(entry.2.estimate, binomial: binomial)) \(NumberText.interval(entry.2.lower, entry.2.upper, binomial: binomial))"
    }
    let excluding = latest.filter { $0.2.lower > 0 || $0.2.upper < 0 }.count
    let count =
      "\(NumberText.count(lines.count)) comparisons, \(NumberText.count(excluding)) with an interval excluding 0 at their latest look"
    let sentences = [count] + ChartSummary.highestAndLowest(latest.map(\.2.estimate)) { item(latest[$0]) }
    return sentences.joined(separator: ". ")
      + ". The primary metric's results table below lists each comparison's current lift; the look log, its z at every look."
  }

  static func svg(_ s: SequentialAnalysis, binomial: Bool) -> String? {
    let trajectories = s.trajectories()
    let spread = 7.0  // px between comparisons at one look, so their bars do not overlap
    let points = trajectories.flatMap(\.points)
    guard !points.isEmpty else { return nil }
    let width = 760.0
    let legendWidth = 262.0
    let left = 56.0
    let plotLeft = left + 24 + spread * Double(trajectories.count) / 2
    let plotRight = width - legendWidth - 16
    let top = 36.0
    let height = max(260.0, top + 22 * Double(trajectories.count) + 40)
    let bottom = height - 40
    let looks = max(s.plannedLooks ?? 1, points.map(\.look).max() ?? 1)
    let scale = binomial ? 100.0 : 1.0
    let finite = points.flatMap { [$0.lower, $0.upper] }.filter(\.isFinite)
    let (low, high, step) = ChartScale.axis(
      low: min(0, finite.min() ?? 0) * scale, high: max(0, finite.max() ?? 0) * scale, divisions: 5)
    func x(_ look: Int, _ index: Int) -> Double {
      let centre =
        looks == 1
        ? (plotLeft + plotRight) / 2 : plotLeft + (plotRight - plotLeft) * Double(look - 1) / Double(looks - 1)
      return centre + spread * (Double(index) - Double(trajectories.count - 1) / 2)
    }
    func y(_ value: Double) -> Double { bottom - (bottom - top) * (value * scale - low) / (high - low) }
    func f(_ v: Double) -> String { FixedDecimals.format(v, digits: 1) }
    let kind =
      s.trajectoryInterval == .repeatedConfidence
      ? "repeated confidence interval at each look's boundary" : "interval at α per comparison, not adjusted for looks"
    let summary = trajectories.enumerated().map { index, t in
      "\(index + 1) \(BoundaryChart.label(t)): "
        + t.points.map {
          "look \($0.look) \(NumberText.effect($0.estimate, binomial: binomial)) \(NumberText.interval($0.lower, $0.upper, binomial: binomial))"
        }.joined(separator: ", ")
    }
    var out =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lift-chart\" style=\"width:100%;max-width:\(Int(width))px;height:auto;display:block\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-labelledby=\"lift-title lift-desc\">"
    out += "<title id=\"lift-title\">\(HTML.escape("Cumulative lift of each comparison by look (\(kind))"))</title>"
    out +=
      "<desc id=\"lift-desc\">\(HTML.escape(description(summary, trajectories: trajectories, binomial: binomial)))</desc>"
    out +=
      "<text x=\"\(f(left))\" y=\"16\" class=\"axis-title\">\(HTML.escape(binomial ? "Lift in percentage points (variant − control)" : "Difference in means (variant − control)"))</text>"
    var tick = low
    while tick <= high + step / 2 {
      out +=
        "<line x1=\"\(f(left + 4))\" y1=\"\(f(y(tick / scale)))\" x2=\"\(f(plotRight + 12))\" y2=\"\(f(y(tick / scale)))\" class=\"\(abs(tick) < step / 1000 ? "zero" : "grid")\"/>"
      out +=
        "<text x=\"\(f(left))\" y=\"\(f(y(tick / scale) + 4))\" class=\"tick\" text-anchor=\"end\">\(HTML.escape(ChartScale.differenceLabel(tick, step)))</text>"
      tick += step
    }
    for look in 1...looks {
      out +=
        "<text x=\"\(f(x(look, (trajectories.count - 1) / 2) + (trajectories.count % 2 == 0 ? spread / 2 : 0)))\" y=\"\(f(bottom + 18))\" class=\"tick\" text-anchor=\"middle\">\(HTML.escape("look \(look)"))</text>"
    }
    let shortNames = BoundaryChart.legendNames(trajectories.map(BoundaryChart.label))
    for (index, t) in trajectories.enumerated() {
      let colour = BoundaryChart.palette[index % BoundaryChart.palette.count]
      if t.points.count > 1 {
        let line = t.points.map { "\(f(x($0.look, index))),\(f(y($0.estimate)))" }.joined(separator: " ")
        out += "<polyline points=\"\(line)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\"/>"
      }
      for point in t.points where point.lower.isFinite && point.upper.isFinite {
        let cx = x(point.look, index)
        let excludesZero = point.lower > 0 || point.upper < 0
        out +=
          "<line x1=\"\(f(cx))\" y1=\"\(f(y(point.lower)))\" x2=\"\(f(cx))\" y2=\"\(f(y(point.upper)))\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
        out +=
          "<circle cx=\"\(f(cx))\" cy=\"\(f(y(point.estimate)))\" r=\"4.5\" fill=\"\(excludesZero ? colour : "#ffffff")\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
      }
      let ly = top + 4 + 22 * Double(index)
      let lx = plotRight + 32
      let last = t.points.last.map { " \(NumberText.effect($0.estimate, binomial: binomial))" } ?? ""
      let short = shortNames[index]
      out +=
        "<line x1=\"\(f(lx - 8))\" y1=\"\(f(ly))\" x2=\"\(f(lx + 2))\" y2=\"\(f(ly))\" stroke=\"\(colour)\" stroke-width=\"3\"/>"
      out +=
        "<text x=\"\(f(lx + 8))\" y=\"\(f(ly + 4))\" class=\"legend\"><tspan class=\"strong\">\(index + 1)</tspan> \(HTML.escape("\(short):\(last)"))</text>"
    }
    return out + "</svg>"
  }
}
